"""LocalOrchestrator: function workers as confined processes on this host.

At start the driver probes the host (``qinling_sandbox/probe.py``) and logs exactly which limits
it can enforce (``capabilities.assess``); :meth:`probe` returns that report for /healthz. With
``require_isolation`` it refuses to start workers while any limit cannot be enforced.

A zygote per runtime (``qinling_sandbox/zygote.py``: exec'd clean, everything pre-imported)
forks the workers, each running the runtime server found in ``[local] runtimes_dir``
(``images.py``). Each worker confines itself the same way whatever the runtime, before it runs
user code: the worker's cgroup (memory, pids; v1 or v2), new pid, mount, ipc and uts
namespaces, a private read-only root (pivot_root) or Landlock, an empty network namespace for
the runtime server (unless ``allow_network``), rlimits, the function's own uid. Every execution
runs in a child of the runtime server, in a cgroup of its own with the request's cpu and memory
limits (made by the worker's init), so a crash or a limit kill never takes the worker down.
Workers die with their zygote, zygotes with the service; but when the service is killed, its
workers linger ``ORPHAN_LINGER`` seconds as orphans (they finish the runs they have, keep
their outcomes, then end), and the service started again removes what is left after that time
(``workspace``): runs are idempotent by execution id at the worker (``POST /outcome``).

Image functions run as containers on the local Docker Engine (``containers.py``), not as
workers.

Idle workers (the execution service's warm pool) are confined but still root and not
serving; binding one to a function hands it the function's uid (and its package cache and
cgroup), and it serves at once, with no new process. A runtime pool is the runtime's image,
validated.
"""
import dataclasses
import logging
import os
import socket
import sys
import threading

import keystoneauth1

from qinling_shared.exceptions import Conflict, NotFound, Unavailable

from qinling_execution.orchestrators.base import Orchestrator, PoolInfo, Worker, check_worker_name
from qinling_execution.orchestrators.local import capabilities, images
from qinling_execution.orchestrators.local.containers import Containers
from qinling_execution.orchestrators.local.process import WorkerProcess, listening_socket
from qinling_execution.orchestrators.local.workspace import Workspace
from qinling_execution.orchestrators.local.zygotes import Zygote, run_probe

LOG = logging.getLogger(__name__)
DEFAULT_START_TIMEOUT = 10.0
STOP_GRACE = 2.0
WORKER_MEMORY = 512 * 1024 * 1024
WORKER_PIDS = 512
LOG_LIMIT = 1024 * 1024
NODE = "/usr/bin/node"
# where keystoneauth1 and its dependencies live (this service's site-packages): bound
# read-only into Python workers (at /openstack in a private root), whose runtime imports it
# for the functions' os_session (qinling_execution.openstack_access); the runtime itself runs
# without site-packages
OPENSTACK_LIBRARIES = os.path.dirname(os.path.dirname(keystoneauth1.__file__))
ORPHAN_LINGER = 60.0  # seconds the workers of a killed service live on (see above)


class LocalOrchestrator(Orchestrator):
    def __init__(self, state_dir, runtimes_dir, worker_start_timeout=DEFAULT_START_TIMEOUT,
                 python_executable=None, node_executable=None, stop_grace=STOP_GRACE,
                 require_isolation=False, allow_network=False, worker_memory=WORKER_MEMORY,
                 worker_pids=WORKER_PIDS, facts=None, max_unpacked_size=None,
                 orphan_linger=ORPHAN_LINGER, worker_host="127.0.0.1", container_engine=""):
        """``runtimes_dir``: the folder of the runtime servers (``[local] runtimes_dir``;
        ``images.MissingRuntimes`` when they are not there). ``facts``: the host probe's output
        (default: probe now; tests pass their own). ``worker_host``: the address workers
        listen on, where every execution replica reaches them (their URLs are in the
        worker map). ``container_engine``: the Docker Engine API URL image functions run on
        (empty: none)."""
        self.worker_host = worker_host
        self.runtime_dirs = images.runtime_dirs(runtimes_dir)
        state_dir = os.path.abspath(state_dir)
        self.start_timeout = worker_start_timeout
        self.python = python_executable or sys.executable
        self.node = node_executable or NODE
        self.stop_grace = stop_grace
        self.require_isolation = require_isolation
        self.max_unpacked_size = max_unpacked_size  # None: the runtime servers' own bound
        self.facts = facts if facts is not None else _probe(self.python, state_dir)
        self.assessment = capabilities.assess(self.facts, allow_network)
        _log_assessment(self.assessment, self.facts)
        self.orphan_linger = orphan_linger
        self.containers = Containers(container_engine, allow_network)
        self.workspace = Workspace(os.path.join(state_dir, "workers"), self.assessment.cgroup,
                                   worker_memory, worker_pids, orphan_linger)
        self.workers_dir = self.workspace.workers_dir
        self.warnings = self.workspace.warnings(self.assessment)
        for warning in self.warnings:
            LOG.warning("Local orchestrator: %s", warning)
        self._zygotes = {runtime: Zygote(runtime, self.python,
                                         os.path.join(state_dir, f"zygote-{runtime}.log"),
                                         worker_start_timeout, self._preload(runtime))
                         for runtime in self.runtime_dirs}
        self._pools = {}  # runtime_id -> image
        self._workers = {}  # name -> (Worker, WorkerProcess)
        self._lock = threading.Lock()
        self._name_locks = {}

    @classmethod
    def from_settings(cls, settings):
        """Keys: ``state_dir`` and ``runtimes_dir`` (required), ``worker_start_timeout``,
        ``python_executable``, ``node_executable``, ``require_isolation``, ``allow_network``,
        ``max_unpacked_size`` (a package's largest unpacked size in a worker's cache),
        ``worker_host``, ``container_engine``."""
        return cls(state_dir=settings["state_dir"], runtimes_dir=settings.get("runtimes_dir"),
                   worker_start_timeout=settings.get("worker_start_timeout")
                   or DEFAULT_START_TIMEOUT,
                   python_executable=settings.get("python_executable") or None,
                   node_executable=settings.get("node_executable") or None,
                   require_isolation=bool(settings.get("require_isolation")),
                   allow_network=bool(settings.get("allow_network")),
                   max_unpacked_size=settings.get("max_unpacked_size") or None,
                   worker_host=settings.get("worker_host") or "127.0.0.1",
                   container_engine=settings.get("container_engine") or "")

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
        mine = [w for w in self.list_workers() if w.runtime_id == runtime_id]
        return PoolInfo(total=len(mine), available=sum(1 for w in mine if w.idle))

    def start_worker(self, runtime_id, image, function_id, function_version, name, limits=None):
        # limits come with each /execute: the worker applies them per execution
        check_worker_name(name)
        self.create_pool(runtime_id, image)
        with self._name_lock(name):
            running = self._running(name)
            if running is not None:
                return _same_worker(running[0], runtime_id, function_id, function_version)
            self._start_idle(runtime_id, image, name)
            return self._bind(name, function_id, function_version)

    def start_idle_worker(self, runtime_id, image, name):
        check_worker_name(name)
        self.create_pool(runtime_id, image)
        with self._name_lock(name):
            running = self._running(name)
            if running is not None:
                return _same_worker(running[0], runtime_id, None, None)
            return self._start_idle(runtime_id, image, name)

    def bind_worker(self, name, function_id, function_version, limits=None):
        with self._name_lock(name):
            running = self._running(name)
            if running is None:
                raise NotFound(f"Worker {name} not found.")
            if not running[0].idle:
                return _same_worker(running[0], running[0].runtime_id, function_id,
                                    function_version)
            return self._bind(name, function_id, function_version)

    def stop_worker(self, name):
        with self._lock:
            entry = self._workers.pop(name, None)
        if entry is not None:
            entry[1].stop(self.stop_grace)
            self.workspace.remove(name)

    def list_workers(self):
        with self._lock:
            entries = list(self._workers.items())
        dead = [name for name, (_, process) in entries if not process.alive()]
        for name in dead:
            self.stop_worker(name)  # removes its cgroup and files
        return [worker for name, (worker, _) in entries if name not in dead]

    def worker_alive(self, name, grace=0.0):
        with self._lock:
            entry = self._workers.get(name)
        return entry is not None and not entry[1].exits_within(grace)

    def check_images(self):
        self.containers.check()

    def run_image(self, run):
        return self.containers.run(run)

    def cancel_image(self, execution_id):
        return self.containers.cancel(execution_id)

    def image_executions(self):
        return self.containers.executions()

    def remove_image(self, execution_id):
        self.containers.remove(execution_id)

    def probe(self):
        with self._lock:
            count = len(self._workers)
        return {"driver": "local", **self.assessment.report(),
                "require_isolation": self.require_isolation,
                "probe_error": self.facts.get("error"), "warnings": list(self.warnings),
                "runtimes": {images.PYTHON3: self.python, images.NODEJS: self.node},
                "runtime_dirs": dict(self.runtime_dirs),
                "container_engine": self.containers.url or None,
                "workers": count}

    def close(self):
        with self._lock:
            names = list(self._workers)
        self._stop_all(names)
        for zygote in self._zygotes.values():
            zygote.close()
        self.workspace.close()

    def _stop_all(self, names):
        with self._lock:
            entries = [(n, self._workers.pop(n)) for n in names if n in self._workers]
        for _, (_, process) in entries:
            process.terminate()  # all at once, then wait for each
        for name, (_, process) in entries:
            process.stop(self.stop_grace)
            self.workspace.remove(name)

    def _start_idle(self, runtime_id, image, name):
        """Start a confined, idle worker (under the name lock)."""
        refusal = capabilities.missing_message(self.assessment)
        if self.require_isolation and refusal:
            raise Unavailable(refusal)
        runtime = images.local_runtime(image)
        try:
            worker_dir, cgroup = self.workspace.prepare(name)
        except OSError as exc:
            self.workspace.remove(name)
            raise Unavailable(f"Cannot prepare worker {name}: {exc}") from exc
        plan = capabilities.worker_plan(
            self.assessment, name, runtime, cgroup, worker_dir, self.runtime_dirs[runtime],
            images.SERVER_FILES[runtime], self._executable(runtime), (), LOG_LIMIT,
            self.require_isolation, self.max_unpacked_size)
        plan.update(service_pid=os.getpid(), orphan_linger=self.orphan_linger,
                    openstack_path=OPENSTACK_LIBRARIES if runtime == images.PYTHON3 else None)
        process = None
        try:
            process = self._fork(runtime, plan, worker_dir + ".log")
            process.wait_idle(self.start_timeout)
        except BaseException:
            if process is not None:
                process.stop(self.stop_grace)
            self.workspace.remove(name, keep_log=True)
            raise
        worker = Worker(name=name, url=process.url, runtime_id=runtime_id, function_id=None,
                        function_version=None)
        with self._lock:
            self._workers[name] = (worker, process)
        return worker

    def _bind(self, name, function_id, function_version):
        """Bind the idle worker ``name`` (under the name lock); it serves on return."""
        with self._lock:
            idle, process = self._workers[name]
        uid = capabilities.function_uid(function_id) if self.assessment.switch_uid else None
        try:
            if uid is not None:
                self.workspace.delegate(name, uid)
            process.bind(uid)
            process.wait_ready(self.start_timeout)
        except (OSError, Unavailable) as exc:
            self.stop_worker(name)
            raise Unavailable(f"Cannot bind worker {name}: {exc}") from exc
        worker = dataclasses.replace(idle, function_id=function_id,
                                     function_version=function_version)
        with self._lock:
            self._workers[name] = (worker, process)
        return worker

    def _fork(self, runtime, plan, log_path):
        try:
            listener = listening_socket(self.worker_host)
        except OSError as exc:
            raise Unavailable(f"Cannot open a socket for worker {plan['name']}: {exc}") from exc
        ours, theirs = socket.socketpair()
        try:
            with open(log_path, "ab") as log:
                pid, pidfd = self._zygotes[runtime].spawn(
                    plan, [listener.fileno(), log.fileno(), theirs.fileno()])
            port = listener.getsockname()[1]
        except BaseException:
            ours.close()
            raise
        finally:
            listener.close()
            theirs.close()
        host = f"[{self.worker_host}]" if ":" in self.worker_host else self.worker_host
        return WorkerProcess(pid, pidfd, f"http://{host}:{port}", log_path, ours)

    def _executable(self, runtime):
        return self.node if runtime == images.NODEJS else self.python

    def _preload(self, runtime):
        if runtime not in images.PRELOADED:
            return None
        return os.path.join(self.runtime_dirs[runtime], images.SERVER_FILES[runtime])

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


def _probe(python, state_dir):
    scratch = os.path.join(state_dir, "probe-root")
    os.makedirs(scratch, exist_ok=True)
    return run_probe(python, scratch)


def _log_assessment(assessment, facts):
    if facts.get("error"):
        LOG.warning("Local orchestrator: the host probe failed: %s", facts["error"])
    for limit, mechanism in assessment.enforced.items():
        LOG.info("Local orchestrator enforces %s: %s", limit, mechanism)
    for limit, reason in assessment.allowed.items():
        LOG.warning("Local orchestrator does not isolate %s: %s", limit, reason)
    for limit, reason in assessment.not_enforced.items():
        LOG.warning("Local orchestrator cannot enforce %s: %s", limit, reason)


def _same_worker(worker, runtime_id, function_id, function_version):
    if (worker.runtime_id, worker.function_id, worker.function_version) != (
            runtime_id, function_id, function_version):
        raise Conflict(f"Worker {worker.name} already runs function {worker.function_id} "
                       f"version {worker.function_version} of runtime {worker.runtime_id}.")
    return worker
