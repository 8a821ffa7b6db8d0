"""The worker map: the etcd record of the workers of each function version, and this replica's
watch-fed view of it. The only module that knows its key layout.

Keys: ``<prefix>workers/<function_id>/<version>/<worker_name>`` → JSON ``{url, runtime_id,
owner}``. Every path segment ends with '/', so function ``f_1`` never matches ``f_10``. Locks:
``/locks/<prefix>function/<function_id>/<version>`` (etcd3gw keeps locks under ``/locks/``).

Each execution service replica is an **owner**, named by a stable replica id. It writes its
workers' keys with a lease of its own that it renews (``keep_alive``), so when a replica dies
and does not come back, etcd drops its keys once the lease runs out; a replica that restarts
under the same id reclaims or reaps its keys at once (``Placement.recover``).

Reads come from an in-memory **view** of every replica's keys: loaded at ``start``, kept current
by a watch and by this map's own writes, so they make no etcd round trip. When a key of this
replica disappears through someone else (another replica's scale-down or detach, or the lease
running out), ``on_removed(function_id, version, name)`` is called so the worker is stopped.
"""
import contextlib
import json
import logging
import time

from qinling_shared.exceptions import Unavailable

LOG = logging.getLogger(__name__)
LEASE_TTL = 20
LOCK_TTL = 30


def _ignore_removal(function_id, version, name):
    pass


class WorkerMap:
    def __init__(self, store, prefix="/qinling/", owner="local", lease_ttl=LEASE_TTL,
                 lock_attempts=50, lock_interval=0.1, clock=time.monotonic):
        self.store = store
        root = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.root = f"/{root}workers/"
        self.lock_root = f"{root}function/"
        self.owner = owner
        self.lease_ttl = lease_ttl
        self.lock_attempts, self.lock_interval = lock_attempts, lock_interval
        self.clock = clock
        self._view = {}  # key -> record
        self._lease = None
        self._renew_at = 0.0
        self._watch = None
        self._on_removed = _ignore_removal

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, on_removed=None):
        """Take this replica's lease, load the view and watch for changes."""
        self._on_removed = _ignore_removal if on_removed is None else on_removed
        self._lease = self.store.grant(self.lease_ttl)
        self._renew_at = self.clock() + self.lease_ttl / 3
        self._sync()

    def keep_alive(self):
        """Called often (a timer): renew the lease once a third of its TTL has passed, and
        reload the view if the watch has ended. Does nothing before ``start``."""
        if self._lease is None:
            return
        if self.clock() >= self._renew_at:
            if not self.store.refresh(self._lease):
                LOG.warning("the etcd lease of replica %s ran out: its workers' keys are gone",
                            self.owner)
                self._lease = self.store.grant(self.lease_ttl)
            self._renew_at = self.clock() + self.lease_ttl / 3
        if self._watch is None or not self._watch.alive:
            LOG.info("reloading the worker map (watch ended)")
            self._sync()

    def stop(self):
        """Stop watching and give up the lease (etcd deletes this replica's keys)."""
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if self._lease is not None:
            lease, self._lease = self._lease, None
            try:
                self.store.revoke(lease)
            except Exception:
                LOG.exception("could not revoke lease of replica %s", self.owner)

    def _sync(self):
        """Load every key and watch from the next revision. Keys of this replica that vanished
        since the last view (while no watch ran) count as removed."""
        if self._watch is not None:
            self._watch.cancel()
        revision, items = self.store.load(self.root)
        previous, self._view = self._view, {}
        for key, value in items:
            self._on_event("PUT", key, value)
        for key, record in previous.items():
            if key not in self._view:
                self._removed(key, record)
        self._watch = self.store.watch(self.root, revision + 1, self._on_event)

    def _on_event(self, kind, key, value):
        if kind == "DELETE":
            record = self._view.pop(key, None)
            if record is not None:
                self._removed(key, record)
        elif self._split(key) is not None:
            self._view[key] = _parse(value)

    def _removed(self, key, record):
        if record.get("owner") == self.owner:
            function_id, version, name = self._split(key)
            self._on_removed(function_id, version, name)

    # -- writes (the view first, so that this map's own events find nothing to do) -----------

    def add(self, worker):
        key = self._key(worker.function_id, worker.function_version, worker.name)
        record = {"url": worker.url, "runtime_id": worker.runtime_id, "owner": self.owner}
        self._view[key] = record
        self.store.put(key, json.dumps(record), self._lease)

    def remove(self, function_id, version, name):
        key = self._key(function_id, version, name)
        self._view.pop(key, None)
        self.store.delete(key)

    def clear_function(self, function_id, version):
        self._clear(self._function_prefix(function_id, version))

    def clear_all_versions(self, function_id):
        self._clear(f"{self.root}{function_id}/")

    def _clear(self, prefix):
        for key in [k for k in self._view if k.startswith(prefix)]:
            del self._view[key]
        self.store.delete_prefix(prefix)

    # -- reads (from the view) ------------------------------------------------------------

    def for_function(self, function_id, version):
        """``[{"name", "url", "runtime_id", "owner"}]`` of one function version, every replica's."""
        prefix = self._function_prefix(function_id, version)
        return [{"name": key[len(prefix):], **record}
                for key, record in sorted(self._view.items()) if key.startswith(prefix)]

    def all(self):
        """Every recorded worker as ``(function_id, version, name, record)``."""
        return [(function_id, version, name, {"name": name, **record})
                for (function_id, version, name), record in
                sorted((self._split(key), record) for key, record in self._view.items())]

    # -- locks ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, function_id, version):
        """Hold the cross-replica lock of a function version's workers. etcd's lock is
        non-blocking, so this tries ``lock_attempts`` times, ``lock_interval`` s apart, then
        gives up with ``Unavailable``."""
        name = f"{self.lock_root}{function_id}/{version}"
        for attempt in range(self.lock_attempts):
            lock = self.store.try_lock(name, LOCK_TTL)
            if lock is not None:
                break
            time.sleep(self.lock_interval)
        else:
            raise Unavailable(f"The workers of function {function_id} version {version} are "
                              "being changed by another request; try again later.")
        try:
            yield
        finally:
            self.store.unlock(lock)

    # -- keys -----------------------------------------------------------------------------

    def _function_prefix(self, function_id, version):
        return f"{self.root}{function_id}/{version}/"

    def _key(self, function_id, version, name):
        return self._function_prefix(function_id, version) + name

    def _split(self, key):
        """``(function_id, version, name)`` of a key; None for a key of another layout."""
        parts = key[len(self.root):].split("/", 2)
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2]:
            return None
        return parts[0], int(parts[1]), parts[2]


def _parse(value):
    try:
        record = json.loads(value)
    except ValueError:
        record = None
    return record if isinstance(record, dict) else {}
