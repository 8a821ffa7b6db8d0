"""Packages as files under one root directory."""
import contextlib
import os
import stat
import tempfile

from qinling_shared.exceptions import Conflict, InvalidInput

from qinling_storage.backends.base import PackageStore, check_key, check_prefix, not_found
from qinling_storage.backends.streams import StreamChunks

_MISSING = (FileNotFoundError, NotADirectoryError, IsADirectoryError)


class LocalStore(PackageStore):
    """Files under ``root``: a key ``a/b.zip`` is the file ``<root>/a/b.zip``.

    Writes go to a hidden temporary file beside the target (keys never start a segment
    with '.'), are fsynced, then renamed over the target with ``os.replace``.
    """

    def __init__(self, *, root):
        self.root = os.path.realpath(root)
        os.makedirs(self.root, exist_ok=True)

    @classmethod
    def from_settings(cls, settings):
        return cls(root=settings["file_system_dir"])

    def _path(self, key):
        check_key(key)
        path = os.path.join(self.root, *key.split("/"))
        # check_key keeps '..' out; this also refuses a symlinked directory leading out
        if os.path.commonpath([os.path.realpath(path), self.root]) != self.root:
            raise InvalidInput(f"Package key {key!r} leads outside the store.")
        return path

    def put(self, key, chunks):
        path = self._path(key)
        directory = os.path.dirname(path)
        try:
            os.makedirs(directory, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise _collision(key) from None
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                size = 0
                for chunk in chunks:
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            if isinstance(exc, IsADirectoryError):
                raise _collision(key) from None
            raise
        _fsync_directory(directory)
        return size

    def open(self, key):
        path = self._path(key)
        try:
            stream = open(path, "rb")
        except _MISSING:
            raise not_found(key) from None
        return StreamChunks(stream)

    def size(self, key):
        path = self._path(key)
        try:
            info = os.stat(path)
        except _MISSING:
            raise not_found(key) from None
        if not stat.S_ISREG(info.st_mode):
            raise not_found(key)
        return info.st_size

    def delete(self, key):
        with contextlib.suppress(*_MISSING):
            os.unlink(self._path(key))

    def exists(self, key):
        return os.path.isfile(self._path(key))

    def keys(self, prefix):
        """Files under the prefix's directory; hidden files (writes in progress) are not
        objects."""
        check_prefix(prefix)
        top = self._path(prefix[:-1])
        found = []
        for directory, folders, names in os.walk(top):
            folders[:] = [name for name in folders if not name.startswith(".")]
            relative = os.path.relpath(directory, self.root).replace(os.sep, "/")
            found.extend(f"{relative}/{name}" for name in names if not name.startswith("."))
        return found


def _collision(key):
    return Conflict(f"Package key {key!r} collides with the path of other packages.")


def _fsync_directory(directory):
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
