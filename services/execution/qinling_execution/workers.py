"""The worker map in etcd: the only module that knows its key layout.

Keys: ``<prefix>workers/<function_id>/<version>/<worker_name>`` → JSON ``{url, runtime_id}``.
Every path segment ends with '/', so function ``f_1`` never matches ``f_10``.
"""
import json
import logging

LOG = logging.getLogger(__name__)


class WorkerMap:
    def __init__(self, client, prefix="/qinling/"):
        self.client = client
        self.root = prefix.rstrip("/") + "/workers/"

    def _function_prefix(self, function_id, version):
        return f"{self.root}{function_id}/{version}/"

    def add(self, worker):
        key = self._function_prefix(worker.function_id, worker.function_version) + worker.name
        self.client.put(key, json.dumps({"url": worker.url, "runtime_id": worker.runtime_id}))

    def remove(self, worker):
        self.client.delete(
            self._function_prefix(worker.function_id, worker.function_version) + worker.name)

    def for_function(self, function_id, version):
        """``[{"name", "url", "runtime_id"}]`` of one function version."""
        prefix = self._function_prefix(function_id, version)
        return [self._record(key[len(prefix):], value)
                for key, value in self._scan(prefix)]

    def all(self):
        """Every recorded worker as ``(function_id, version, name, record)``."""
        records = []
        for key, value in self._scan(self.root):
            function_id, version, name = key[len(self.root):].split("/", 2)
            records.append((function_id, int(version), name, self._record(name, value)))
        return records

    def clear_function(self, function_id, version):
        self.client.delete_prefix(self._function_prefix(function_id, version))

    def clear_all_versions(self, function_id):
        self.client.delete_prefix(f"{self.root}{function_id}/")

    def _scan(self, prefix):
        for value, meta in self.client.get_prefix(prefix):
            key = meta["key"]
            yield (key.decode() if isinstance(key, bytes) else key), value

    @staticmethod
    def _record(name, value):
        data = json.loads(value.decode() if isinstance(value, bytes) else value)
        return {"name": name, **data}


class FakeEtcd:
    """In-memory stand-in for ``etcd3gw.Etcd3Client`` (the calls WorkerMap makes), for unit tests."""

    def __init__(self):
        self.data = {}

    def put(self, key, value):
        self.data[key] = value.encode() if isinstance(value, str) else value
        return True

    def delete(self, key):
        return self.data.pop(key, None) is not None

    def delete_prefix(self, prefix):
        for key in [k for k in self.data if k.startswith(prefix)]:
            del self.data[key]

    def get_prefix(self, prefix):
        return [(v, {"key": k.encode()}) for k, v in sorted(self.data.items())
                if k.startswith(prefix)]
