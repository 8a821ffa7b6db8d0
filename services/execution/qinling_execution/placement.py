"""Choosing a worker for an execution, starting one when the scaling rule says so.

Holds the in-memory view of workers (so the hot path makes no etcd round trip) and the
executions in flight on each; writes every change through to the etcd worker map.
"""
import contextlib
import logging
import uuid

from eventlet.semaphore import Semaphore

from qinling_execution import scaling

LOG = logging.getLogger(__name__)


class Placement:
    def __init__(self, orchestrator, worker_map, concurrency):
        self.orchestrator = orchestrator
        self.worker_map = worker_map
        self.concurrency = concurrency
        self._workers = {}     # (function_id, version) -> {name: Worker}
        self._in_flight = {}   # worker name -> executions running on it
        self._locks = {}       # (function_id, version) -> Semaphore
        self._retiring = set()  # dropped workers still running executions

    def reap_orphans(self):
        """Forget workers recorded by an earlier life of the service that no longer run."""
        alive = {w.name for w in self.orchestrator.list_workers()}
        for function_id, version, name, _ in self.worker_map.all():
            if name not in alive:
                LOG.info("reaping orphan worker %s of %s/%s", name, function_id, version)
                self.worker_map.clear_function(function_id, version)

    @contextlib.contextmanager
    def worker_for(self, runtime, function_id, version):
        """Yield a worker for one execution; counts it in flight until the block ends."""
        worker = self._acquire(runtime, function_id, version)
        try:
            yield worker
        finally:
            self._release(worker)

    def workers(self, function_id, version):
        return list(self._workers.get((function_id, version), {}).values())

    def drop_function(self, function_id, version):
        """Stop every worker of a function version (its code changed or it was deleted).

        New executions no longer reach them at once; a worker still running executions is
        stopped when the last of them ends.
        """
        self._retire((function_id, version))
        self.worker_map.clear_function(function_id, version)

    def drop_all_versions(self, function_id):
        """Stop the workers of every version of a function (it was deleted)."""
        for key in [k for k in self._workers if k[0] == function_id]:
            self._retire(key)
        self.worker_map.clear_all_versions(function_id)

    def runtime_in_use(self, runtime_id):
        """True when a worker of the runtime runs: here, or in another replica according
        to the worker map."""
        if any(worker.runtime_id == runtime_id
               for workers in self._workers.values() for worker in workers.values()):
            return True
        return any(record.get("runtime_id") == runtime_id
                   for *_, record in self.worker_map.all())

    def _retire(self, key):
        for worker in self._workers.pop(key, {}).values():
            if self._in_flight.get(worker.name):
                self._retiring.add(worker.name)
            else:
                self._stop(worker.name)

    def _release(self, worker):
        self._in_flight[worker.name] -= 1
        if worker.name in self._retiring and self._in_flight[worker.name] == 0:
            self._retiring.discard(worker.name)
            self._stop(worker.name)

    def _stop(self, name):
        self._in_flight.pop(name, None)
        self.orchestrator.stop_worker(name)

    def _acquire(self, runtime, function_id, version):
        key = (function_id, version)
        with self._locks.setdefault(key, Semaphore()):
            workers = self._workers.setdefault(key, {})
            running = sum(self._in_flight[name] for name in workers) + 1
            if scaling.needs_scale_up(running, len(workers), self.concurrency):
                worker = self._start(runtime, function_id, version)
                workers[worker.name] = worker
            else:
                in_flight = {name: self._in_flight[name] for name in workers}
                worker = workers[scaling.pick_worker(in_flight)]
            self._in_flight[worker.name] += 1
            return worker

    def _start(self, runtime, function_id, version):
        name = f"{function_id[:8]}-{version}-{uuid.uuid4().hex[:8]}"
        worker = self.orchestrator.start_worker(
            runtime["id"], runtime["image"], function_id, version, name)
        self._in_flight[worker.name] = 0
        self.worker_map.add(worker)
        LOG.info("started worker %s for %s/%s at %s", worker.name, function_id, version, worker.url)
        return worker
