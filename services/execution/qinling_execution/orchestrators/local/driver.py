"""LocalOrchestrator: function workers as processes on this host.

Each worker is a runtime server (``qinling_execution/runtimes``) started with a minimal
environment, its own session, a per-worker package cache ``<state_dir>/workers/<name>/`` and
its output in ``<state_dir>/workers/<name>.log``; both are removed when the worker stops.
Workers die with the service (PR_SET_PDEATHSIG). Every execution runs in a child the worker
forks, so a crash or a kill of one execution never takes the worker down.

Pools: the local driver keeps no idle workers yet (a zygote per runtime is later work), so a
pool is the runtime's image, validated; ``available`` is always 0.
"""
import os
import shutil
import sys
import threading

from qinling_shared.exceptions import Conflict, NotFound

from qinling_execution.orchestrators.base import Orchestrator, PoolInfo, Worker, check_worker_name
from qinling_execution.orchestrators.local import images
from qinling_execution.orchestrators.local.process import WorkerProcess

DEFAULT_START_TIMEOUT = 10.0
STOP_GRACE = 2.0
ISOLATION = ("fork-per-execution", "rlimit-nofile", "rlimit-fsize", "own-session",
             "die-with-parent", "minimal-environment")


class LocalOrchestrator(Orchestrator):
    def __init__(self, state_dir, worker_start_timeout=DEFAULT_START_TIMEOUT,
                 python_executable=None, stop_grace=STOP_GRACE):
        self.workers_dir = os.path.join(os.path.abspath(state_dir), "workers")
        self.start_timeout = worker_start_timeout
        self.python = python_executable or sys.executable
        self.stop_grace = stop_grace
        self._pools = {}  # runtime_id -> image
        self._workers = {}  # name -> (Worker, WorkerProcess)
        self._lock = threading.Lock()
        self._name_locks = {}
        os.makedirs(self.workers_dir, exist_ok=True)

    @classmethod
    def from_settings(cls, settings):
        """Keys: ``state_dir`` (required), ``worker_start_timeout``, ``python_executable``."""
        return cls(state_dir=settings["state_dir"],
                   worker_start_timeout=settings.get("worker_start_timeout")
                   or DEFAULT_START_TIMEOUT,
                   python_executable=settings.get("python_executable") or None)

    def create_pool(self, runtime_id, image):
        images.local_runtime(image)
        with self._lock:
            self._pools[runtime_id] = image

    def delete_pool(self, runtime_id):
        with self._lock:
            self._pools.pop(runtime_id, None)
            names = [n for n, (w, _) in self._workers.items() if w.runtime_id == runtime_id]
        self._stop_all(names)

    def pool_info(self, runtime_id):
        with self._lock:
            if runtime_id not in self._pools:
                raise NotFound(f"Runtime pool {runtime_id} not found.")
        total = sum(1 for w in self.list_workers() if w.runtime_id == runtime_id)
        return PoolInfo(total=total, available=0)

    def start_worker(self, runtime_id, image, function_id, function_version, name):
        check_worker_name(name)
        self.create_pool(runtime_id, image)
        with self._name_lock(name):
            running = self._running(name)
            if running is not None:
                return _same_worker(running, runtime_id, function_id, function_version)
            process = self._spawn(images.local_runtime(image), name)
            worker = Worker(name=name, url=process.url, runtime_id=runtime_id,
                            function_id=function_id, function_version=function_version)
            with self._lock:
                self._workers[name] = (worker, process)
            return worker

    def stop_worker(self, name):
        with self._lock:
            entry = self._workers.pop(name, None)
        if entry is not None:
            entry[1].stop(self.stop_grace)
            self._remove_files(name)

    def list_workers(self):
        with self._lock:
            entries = list(self._workers.items())
        dead = [name for name, (_, process) in entries if not process.alive()]
        for name in dead:
            self.stop_worker(name)  # reaps it and removes its files
        return [worker for name, (worker, _) in entries if name not in dead]

    def probe(self):
        with self._lock:
            count = len(self._workers)
        return {"driver": "local", "isolation": list(ISOLATION),
                "runtimes": {images.PYTHON3: self.python}, "workers": count}

    def close(self):
        with self._lock:
            names = list(self._workers)
        self._stop_all(names)

    def _stop_all(self, names):
        with self._lock:
            entries = [(n, self._workers.pop(n)) for n in names if n in self._workers]
        for _, (_, process) in entries:
            process.terminate()  # all at once, then wait for each
        for name, (_, process) in entries:
            process.stop(self.stop_grace)
            self._remove_files(name)

    def _spawn(self, runtime, name):
        cache_dir = os.path.join(self.workers_dir, name)
        os.makedirs(cache_dir, exist_ok=True)
        process = WorkerProcess.spawn(self._command(runtime, cache_dir), cwd=cache_dir,
                                      log_path=cache_dir + ".log")
        try:
            process.wait_ready(self.start_timeout)
        except BaseException:
            process.stop(self.stop_grace)
            self._remove_files(name, keep_log=True)
            raise
        return process

    def _command(self, runtime, cache_dir):
        if runtime == images.PYTHON3:
            return [self.python, "-I", str(images.SERVERS[runtime]), "--cache-dir", cache_dir]
        raise NotImplementedError(runtime)  # images.local_runtime knows no other runtime yet

    def _running(self, name):
        """The live entry for ``name``; a dead one is cleaned up and forgotten."""
        with self._lock:
            entry = self._workers.get(name)
        if entry is not None and not entry[1].alive():
            self.stop_worker(name)
            return None
        return entry

    def _name_lock(self, name):
        with self._lock:
            return self._name_locks.setdefault(name, threading.Lock())

    def _remove_files(self, name, keep_log=False):
        path = os.path.join(self.workers_dir, name)
        shutil.rmtree(path, ignore_errors=True)
        if not keep_log:
            try:
                os.unlink(path + ".log")
            except FileNotFoundError:
                pass


def _same_worker(entry, runtime_id, function_id, function_version):
    worker = entry[0]
    if (worker.runtime_id, worker.function_id, worker.function_version) != (
            runtime_id, function_id, function_version):
        raise Conflict(f"Worker {worker.name} already runs function {worker.function_id} "
                       f"version {worker.function_version} of runtime {worker.runtime_id}.")
    return worker
