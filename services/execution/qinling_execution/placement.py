"""Placement: choosing or starting the worker for a run, and carrying out the scaling
decisions of ``scaling``.

Holds this replica's workers, the load of each (the runs it serves now) and when each was last
used, in memory (the hot path makes no etcd round trip), and writes every change through to the
worker map. New workers are taken from the runtime's warm pool when it has one, else started.
Workers of one function version are changed under a per-function lock of this replica; changes
that count every replica's workers (a manual scale-down) hold the worker map's etcd lock too.
"""
import contextlib
import logging
import time
import uuid

import eventlet
from eventlet.semaphore import Semaphore

from qinling_shared.exceptions import QinlingError, Unavailable

from qinling_execution import metrics, scaling

LOG = logging.getLogger(__name__)
DEATH_GRACE = 0.5  # seconds a worker whose server died may take to be gone as a whole


class Placement:
    def __init__(self, orchestrator, worker_map, policy, warm_pool, clock=time.monotonic,
                 spawn=eventlet.spawn_n):
        self.orchestrator = orchestrator
        self.worker_map = worker_map
        self.policy = policy
        self.warm_pool = warm_pool
        self.clock = clock
        self.spawn = spawn
        self._workers = {}     # (function_id, version) -> {name: Worker}
        self._load = {}        # worker name -> runs it serves now
        self._last_used = {}   # worker name -> clock() when it was bound or last finished one
        self._waiting = {}     # (function_id, version) -> runs waiting for a worker
        self._locks = {}       # (function_id, version) -> Semaphore
        self._retiring = set()  # dropped workers still serving runs

    def start(self):
        """Load and watch the worker map (its removals of this replica's workers stop them),
        then rebuild this replica's state from it (``recover``)."""
        self.worker_map.start(on_removed=self.forget_worker)
        self.recover()

    # -- the hot path ---------------------------------------------------------------------

    @contextlib.contextmanager
    def worker_for(self, runtime, function_id, version, limits):
        """Yield a worker for one run; counts it in the worker's load until the block ends.
        ``limits``: the function's (``orchestrators.Limits``), for a worker started for it."""
        worker = self._acquire(runtime, function_id, version, limits)
        try:
            yield worker
        finally:
            self._release(worker)

    def check_worker(self, worker):
        """After a run could not reach its worker or lost it: True when the worker still
        runs, by what the orchestrator knows (no call to the worker). A dead one is dropped at
        once (stopped when its runs end, its key removed), so the next run gets another."""
        if self.orchestrator.worker_alive(worker.name, grace=DEATH_GRACE):
            return True
        LOG.warning("worker %s of %s/%s died", worker.name, worker.function_id,
                    worker.function_version)
        self._drop(worker.function_id, worker.function_version, worker.name)
        return False

    def workers(self, function_id, version):
        return list(self._workers.get((function_id, version), {}).values())

    def _acquire(self, runtime, function_id, version, limits):
        key = (function_id, version)
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            with self._lock(key):
                workers = self._workers.setdefault(key, {})
                running = sum(self._load[name] for name in workers)
                missing = scaling.workers_to_add(running + self._waiting[key], len(workers),
                                                 self.policy)
                if missing:
                    started = self._start(runtime, key, limits, missing,
                                          required=not workers)
                    metrics.cold_starts(runtime["id"], len(started))
                    workers = self._workers.setdefault(key, {})  # dropped meanwhile?
                if not workers:
                    raise Unavailable(f"No worker of function {function_id} version {version} "
                                      "could be started.")
                name = scaling.pick_worker({name: self._load[name] for name in workers})
                self._load[name] += 1
                return workers[name]
        finally:
            self._waiting[key] -= 1

    def _release(self, worker):
        name = worker.name
        self._load[name] -= 1
        self._last_used[name] = self.clock()
        if name in self._retiring and self._load[name] == 0:
            self._retiring.discard(name)
            self._stop(name)

    # -- scaling --------------------------------------------------------------------------

    def scale_up(self, runtime, function_id, version, limits, count):
        """Add ``count`` workers to the function version (admin ``scale_up``); the new ones."""
        key = (function_id, version)
        with self._lock(key):
            return self._start(runtime, key, limits, count, required=True)

    def scale_down(self, function_id, version, count):
        """Stop up to ``count`` workers of the function version, counted over every replica,
        always keeping one (admin ``scale_down``); the names stopped. Another replica's worker
        is stopped by its owner when it sees its key go."""
        with self.worker_map.locked(function_id, version):
            loads = {record["name"]: self._load.get(record["name"], 0)
                     for record in self.worker_map.for_function(function_id, version)}
            chosen = scaling.workers_to_remove(loads, count)
            for name in chosen:
                self._drop(function_id, version, name)
        return chosen

    def reap_idle(self):
        """Stop the workers idle for ``idle_expiration`` s (down to zero); their names."""
        now, reaped = self.clock(), []
        for (function_id, version), workers in list(self._workers.items()):
            activity = {name: (self._load[name], self._last_used[name]) for name in workers}
            for name in scaling.idle_workers(activity, now, self.policy.idle_expiration):
                LOG.info("worker %s of %s/%s is idle: stopping it", name, function_id, version)
                self._drop(function_id, version, name)
                reaped.append(name)
            self._tidy((function_id, version))
        return reaped

    def reap_dead(self):
        """Forget the workers (bound or idle) that no longer run, e.g. crashed; their names.
        Only workers known before the orchestrator is asked are judged: one started while it
        answers is not in its answer, yet alive."""
        known = [(key, name) for key, workers in self._workers.items() for name in workers]
        known_idle = self.warm_pool.idle_names()
        alive = {worker.name for worker in self.orchestrator.list_workers()}
        dead = []
        for (function_id, version), name in known:
            if name not in alive and name in self._workers.get((function_id, version), {}):
                LOG.warning("worker %s of %s/%s is gone", name, function_id, version)
                self._drop(function_id, version, name)
                dead.append(name)
        self.warm_pool.forget(known_idle - alive)
        return dead

    def reap_strays(self):
        """Remove this replica's keys of workers it does not run (their removal failed, e.g.
        while etcd was down); their names."""
        mine = {name for workers in self._workers.values() for name in workers}
        strays = [(function_id, version, name)
                  for function_id, version, name, record in self.worker_map.all()
                  if record.get("owner") == self.worker_map.owner and name not in mine]
        for function_id, version, name in strays:
            LOG.info("removing the stray key of worker %s of %s/%s", name, function_id, version)
            self.worker_map.remove(function_id, version, name)
        return [name for *_, name in strays]

    def _start(self, runtime, key, limits, count, required):
        """Start ``count`` workers of ``key`` at once; the ones that started. When
        ``required``, a failure of every start is raised."""
        pile = eventlet.GreenPile()
        for _ in range(count):
            pile.spawn(self._start_one, runtime, key, limits)
        started, errors = [], []
        for outcome in pile:
            (errors if isinstance(outcome, QinlingError) else started).append(outcome)
        if errors and (required and not started):
            raise errors[0]
        for error in errors:
            LOG.warning("a new worker of %s/%s did not start: %s", *key, error)
        return started

    def _start_one(self, runtime, key, limits):
        """One new worker of ``key``: an idle one of the runtime's warm pool, bound, or else a
        fresh one. A QinlingError is returned, not raised (see ``_start``)."""
        function_id, version = key
        try:
            worker = self._bind_pooled(runtime, function_id, version, limits)
            if worker is None:
                name = f"{function_id[:8]}-{version}-{uuid.uuid4().hex[:8]}".lower()
                worker = self.orchestrator.start_worker(
                    runtime["id"], runtime["image"], function_id, version, name, limits)
            self._load[worker.name] = 0
            self._last_used[worker.name] = self.clock()
            self._workers.setdefault(key, {})[worker.name] = worker
        except QinlingError as exc:
            return exc
        self.spawn(self._record, worker)  # off the request path: this replica has it already
        LOG.info("worker %s now runs %s/%s at %s", worker.name, function_id, version, worker.url)
        return worker

    def _record(self, worker):
        """Write the worker to the map. Without etcd the worker still serves this replica;
        once etcd is back the map reloads and the unrecorded worker is retired. A key written
        after its worker was dropped is a stray, which ``reap_strays`` removes."""
        try:
            self.worker_map.add(worker)
        except Exception:
            LOG.exception("worker %s could not be recorded in the worker map", worker.name)

    def _bind_pooled(self, runtime, function_id, version, limits):
        while (name := self.warm_pool.take(runtime)) is not None:
            try:
                return self.orchestrator.bind_worker(name, function_id, version, limits)
            except QinlingError as exc:
                LOG.warning("idle worker %s could not be bound: %s", name, exc)
                self.orchestrator.stop_worker(name)
        return None

    # -- dropping workers -----------------------------------------------------------------

    def drop_function(self, function_id, version):
        """Stop every worker of a function version, on every replica (its code changed, it was
        deleted or detached). New runs no longer reach them at once; a worker still serving
        runs is stopped when the last of them ends."""
        self._retire((function_id, version))
        self.worker_map.clear_function(function_id, version)

    def drop_all_versions(self, function_id):
        """Stop the workers of every version of a function (it was deleted)."""
        for key in [k for k in self._workers if k[0] == function_id]:
            self._retire(key)
        self.worker_map.clear_all_versions(function_id)

    def forget_worker(self, function_id, version, name):
        """Stop using this replica's worker ``name`` (its key is gone): stop it now, or when
        its runs end. Unknown names are ignored."""
        worker = self._workers.get((function_id, version), {}).pop(name, None)
        if worker is not None:
            self._retire_worker(worker)

    def _drop(self, function_id, version, name):
        self.forget_worker(function_id, version, name)
        self.worker_map.remove(function_id, version, name)

    def _retire(self, key):
        for worker in self._workers.pop(key, {}).values():
            self._retire_worker(worker)

    def _retire_worker(self, worker):
        if self._load.get(worker.name):
            self._retiring.add(worker.name)
        else:
            self._stop(worker.name)

    def _stop(self, name):
        self._load.pop(name, None)
        self._last_used.pop(name, None)
        self.orchestrator.stop_worker(name)

    # -- after a restart ------------------------------------------------------------------

    def recover(self):
        """Rebuild this replica's state from the worker map after a (re)start: adopt its
        recorded workers that still run, remove the keys of those that do not, and stop the
        workers the orchestrator runs that no replica records (orphans)."""
        running = {worker.name: worker for worker in self.orchestrator.list_workers()}
        recorded = set()
        for function_id, version, name, record in self.worker_map.all():
            recorded.add(name)
            if record.get("owner") != self.worker_map.owner:
                continue
            worker = running.get(name)
            if worker is not None and (worker.function_id, worker.function_version) == (
                    function_id, version):
                self._adopt(worker)
            else:
                LOG.info("reaping the key of dead worker %s of %s/%s", name, function_id, version)
                self.worker_map.remove(function_id, version, name)
        for name in sorted(set(running) - recorded):
            LOG.info("stopping orphan worker %s", name)
            self.orchestrator.stop_worker(name)

    def _adopt(self, worker):
        key = (worker.function_id, worker.function_version)
        self._workers.setdefault(key, {})[worker.name] = worker
        self._load[worker.name] = 0
        self._last_used[worker.name] = self.clock()
        self._record(worker)  # again, under this life's lease

    # -- questions ------------------------------------------------------------------------

    def all_workers(self):
        """Every worker of this replica bound to a function version (for its metrics)."""
        return [worker for workers in list(self._workers.values())
                for worker in list(workers.values())]

    def runtime_in_use(self, runtime_id):
        """True when a worker of the runtime runs a function: here, or in another replica
        according to the worker map. Idle workers of the warm pool do not count."""
        if any(worker.runtime_id == runtime_id
               for workers in self._workers.values() for worker in workers.values()):
            return True
        return any(record.get("runtime_id") == runtime_id
                   for *_, record in self.worker_map.all())

    def _lock(self, key):
        return self._locks.setdefault(key, Semaphore())

    def _tidy(self, key):
        """Forget the bookkeeping of a function version left without workers or callers."""
        lock = self._locks.get(key)
        if self._workers.get(key) or self._waiting.get(key) or (lock and lock.locked()):
            return
        for table in (self._workers, self._waiting, self._locks):
            table.pop(key, None)
