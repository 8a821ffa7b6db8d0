"""Packages in a dict: for tests and single-process trials; nothing survives a restart."""
import threading

from qinling_storage.backends.base import PackageStore, check_key, check_prefix, not_found

CHUNK_SIZE = 64 * 1024


class MemoryStore(PackageStore):
    def __init__(self):
        self._objects = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings):
        return cls()

    def put(self, key, chunks):
        check_key(key)
        data = b"".join(chunks)  # the whole object first: readers never see a part
        with self._lock:
            self._objects[key] = data
        return len(data)

    def open(self, key):
        data = self._get(key)
        return (data[i:i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE))

    def size(self, key):
        return len(self._get(key))

    def delete(self, key):
        check_key(key)
        with self._lock:
            self._objects.pop(key, None)

    def exists(self, key):
        check_key(key)
        with self._lock:
            return key in self._objects

    def keys(self, prefix):
        check_prefix(prefix)
        with self._lock:
            return [key for key in self._objects if key.startswith(prefix)]

    def _get(self, key):
        check_key(key)
        with self._lock:
            try:
                return self._objects[key]
            except KeyError:
                raise not_found(key) from None
