"""FakeOrchestrator: an in-memory driver for unit tests of the execution service.

It keeps the contract (idempotency, name checks, wire errors) and records every call in
``calls`` as ``(method, args)`` (and in ``limits`` each worker's last ``Limits``); it starts
no processes. Worker URLs look like
``http://fake-worker/<name>``. ``fail_next_start(message)`` makes the next new worker fail to
start with ``Unavailable``, as a real driver does when a worker never answers /ping.

Image functions: the images in ``local_images`` are "on the engine" (others cannot be pulled),
and each runs the program of the tests' image (``qinling_testing.container_images``): it
prints its arguments, one per line; ``sleep N`` sleeps N seconds (for real, killed at the
timeout or by ``cancel_image``); ``eat N`` needs N MiB (OOM-killed beyond ``memory_size``);
``exit N`` exits with status N. ``containers`` holds the running ones by execution id, and
``leave_container(run)`` starts one as a delivery that died would have left it.
``container_engine=False``: there is none (``check_images`` and ``run_image`` refuse).
"""
import dataclasses
import threading
import time

from qinling_shared.exceptions import Conflict, InvalidInput, NotFound, Unavailable

from qinling_execution import image_outcomes
from qinling_execution.orchestrators.base import Orchestrator, PoolInfo, Worker, check_worker_name

KNOWN_IMAGES = ("python3", "nodejs", "openstackqinling/python3-runtime",
                "openstackqinling/nodejs-runtime")
LOCAL_IMAGES = ("qinling-test/args:fake",)
NO_ENGINE = "Image functions need a container engine: none is configured (fake orchestrator)."


class FakeOrchestrator(Orchestrator):
    def __init__(self, known_images=KNOWN_IMAGES, container_engine=True,
                 local_images=LOCAL_IMAGES):
        self.known_images = tuple(known_images)
        self.container_engine = container_engine
        self.local_images = set(local_images)
        self.calls = []
        self.pools = {}  # runtime_id -> image
        self.workers = {}  # name -> Worker
        self.limits = {}  # worker name -> the Limits it was last started or bound with
        self.containers = {}  # execution id -> _Container
        self.started_containers = []  # execution ids, one per container started
        self._start_failure = None

    @classmethod
    def from_settings(cls, settings):
        return cls(settings.get("known_images", KNOWN_IMAGES),
                   bool(settings.get("container_engine", True)),
                   settings.get("local_images", LOCAL_IMAGES))

    def fail_next_start(self, message="Worker did not answer /ping."):
        self._start_failure = message

    def create_pool(self, runtime_id, image):
        self.calls.append(("create_pool", (runtime_id, image)))
        if _repository(image) not in self.known_images:
            raise InvalidInput(f"Image {image!r} is not a runtime the fake orchestrator knows.")
        self.pools[runtime_id] = image

    def delete_pool(self, runtime_id):
        self.calls.append(("delete_pool", (runtime_id,)))
        self.pools.pop(runtime_id, None)
        for name in [n for n, w in self.workers.items() if w.runtime_id == runtime_id]:
            del self.workers[name]

    def pool_info(self, runtime_id):
        self.calls.append(("pool_info", (runtime_id,)))
        if runtime_id not in self.pools:
            raise NotFound(f"Runtime pool {runtime_id} not found.")
        mine = [w for w in self.workers.values() if w.runtime_id == runtime_id]
        return PoolInfo(total=len(mine), available=sum(1 for w in mine if w.idle))

    def start_worker(self, runtime_id, image, function_id, function_version, name, limits=None):
        self.calls.append(("start_worker",
                           (runtime_id, image, function_id, function_version, name)))
        self.limits[name] = limits
        return self._start(runtime_id, image, function_id, function_version, name)

    def _start(self, runtime_id, image, function_id, function_version, name):
        check_worker_name(name)
        self.create_pool(runtime_id, image)
        worker = Worker(name=name, url=f"http://fake-worker/{name}", runtime_id=runtime_id,
                        function_id=function_id, function_version=function_version)
        existing = self.workers.get(name)
        if existing is not None:
            if existing != worker:
                raise Conflict(f"Worker {name} already runs function {existing.function_id} "
                               f"version {existing.function_version}.")
            return existing
        if self._start_failure is not None:
            message, self._start_failure = self._start_failure, None
            raise Unavailable(message)
        self.workers[name] = worker
        return worker

    def start_idle_worker(self, runtime_id, image, name):
        self.calls.append(("start_idle_worker", (runtime_id, image, name)))
        return self._start(runtime_id, image, None, None, name)

    def bind_worker(self, name, function_id, function_version, limits=None):
        self.calls.append(("bind_worker", (name, function_id, function_version)))
        self.limits[name] = limits
        worker = self.workers.get(name)
        if worker is None:
            raise NotFound(f"Worker {name} not found.")
        if worker.idle:
            worker = self.workers[name] = dataclasses.replace(
                worker, function_id=function_id, function_version=function_version)
        elif (worker.function_id, worker.function_version) != (function_id, function_version):
            raise Conflict(f"Worker {name} already runs function {worker.function_id} "
                           f"version {worker.function_version}.")
        return worker

    def stop_worker(self, name):
        self.calls.append(("stop_worker", (name,)))
        self.workers.pop(name, None)

    def list_workers(self):
        self.calls.append(("list_workers", ()))
        return list(self.workers.values())

    def check_images(self):
        if not self.container_engine:
            raise InvalidInput(NO_ENGINE)

    def run_image(self, run):
        self.calls.append(("run_image", (run,)))
        container = self.containers.get(run.execution_id)
        if container is None:
            self.check_images()
            if run.image not in self.local_images:
                return image_outcomes.not_pulled(run.image, "no registry answers (fake)")
            container = self.leave_container(run)
        try:
            return container.outcome(run.timeout)
        finally:
            self.containers.pop(run.execution_id, None)

    def leave_container(self, run):
        """Start the container of ``run`` and leave it running, awaited by nobody."""
        container = self.containers[run.execution_id] = _Container(run)
        self.started_containers.append(run.execution_id)
        return container

    def cancel_image(self, execution_id):
        self.calls.append(("cancel_image", (execution_id,)))
        container = self.containers.get(execution_id)
        if container is None:
            return False
        container.killed.set()
        return True

    def image_executions(self):
        return list(self.containers)

    def remove_image(self, execution_id):
        self.calls.append(("remove_image", (execution_id,)))
        container = self.containers.pop(execution_id, None)
        if container is not None:
            container.killed.set()

    def probe(self):
        return {"driver": "fake", "isolation": [], "workers": len(self.workers)}

    def close(self):
        self.calls.append(("close", ()))
        self.workers.clear()


class _Container:
    """The tests' image's program, played (see the module docstring)."""

    def __init__(self, run):
        self.args, self.memory_size = run.args, run.memory_size
        self.started = time.monotonic()
        self.killed = threading.Event()

    def outcome(self, timeout):
        command, number = (self.args + ("", ""))[:2]
        number = float(number) if number.replace(".", "", 1).isdigit() else 0
        exit_code, oom = 0, False
        if command == "sleep":
            left = self.started + min(number, timeout) - time.monotonic()
            if self.killed.wait(max(0.0, left)):
                exit_code = 137
        elif command == "eat" and number * 2**20 > self.memory_size:
            exit_code, oom = 137, True
        elif command == "exit":
            exit_code = int(number)
        timed_out = command == "sleep" and number > timeout and not exit_code
        logs = "".join(f"{arg}\n" for arg in self.args)
        return image_outcomes.ended(exit_code, oom, timed_out,
                                    time.monotonic() - self.started, logs, timeout)


def _repository(image):
    """``image`` without its tag."""
    if not isinstance(image, str):
        return None
    name, colon, tag = image.rpartition(":")
    return name if colon and "/" not in tag else image
