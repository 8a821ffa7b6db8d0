"""Programs for the fake kubelet: what an image does once its pod runs.

A program is ``program(pod) -> Exit | None`` (``kubelet.programs[image] = program``):
``Exit`` says how the container ends (exit code, reason, logs, after how many seconds,
and the pod's own ``reason``/``message`` if any); None keeps it running.

``runtime_starter(runtime, cache_dir)`` is a ``start`` for ``kubelet.serve_runtime``: pods
of that image get a real runtime server process at ``http://<podIP>:9090``.
"""
import dataclasses
import subprocess
import time

from qinling_testing.kube_validation import parse_quantity
from qinling_testing.runtime_servers import COMMANDS, WorkerClient


@dataclasses.dataclass
class Exit:
    exit_code: int = 0
    reason: str = None  # default: "Completed" for 0, else "Error"
    logs: str = None
    after: float = 0.0
    pod_reason: str = None  # e.g. "DeadlineExceeded"
    pod_message: str = None


def args_program(pod):
    """The tests' args image (``qinling_testing.container_images``), as the fake orchestrator
    plays it (a copy of ``orchestrators/fake.py``'s logic, which imports the execution
    service): prints the first container's ``args`` one per line; ``sleep N`` runs N seconds
    then exits 0 (Failed with ``DeadlineExceeded`` at ``activeDeadlineSeconds`` if that comes
    first); ``eat N`` is OOMKilled (137) when N MiB exceed the container's memory limit;
    ``exit N`` exits N; else exits 0."""
    container = pod["spec"]["containers"][0]
    args = [str(arg) for arg in container.get("args") or []]
    command, number = (args + ["", ""])[:2]
    number = float(number) if number.replace(".", "", 1).isdigit() else 0
    logs = "".join(f"{arg}\n" for arg in args)
    limit = ((container.get("resources") or {}).get("limits") or {}).get("memory")
    if command == "sleep":
        deadline = pod["spec"].get("activeDeadlineSeconds")
        if deadline is not None and deadline < number:
            return Exit(137, "Error", logs, deadline, "DeadlineExceeded",
                        "Pod was active on the node longer than the specified deadline")
        return Exit(0, logs=logs, after=number)
    if command == "eat" and limit is not None and number * 2**20 > parse_quantity(limit):
        return Exit(137, "OOMKilled", logs)
    if command == "exit":
        return Exit(int(number), logs=logs)
    return Exit(0, logs=logs)


class RuntimeProcess(WorkerClient):
    """A runtime server (``runtime_servers.COMMANDS``) bound to ``host:port``."""

    def __init__(self, runtime, host, port, cache_dir, timeout=10.0):
        super().__init__(host, port)
        self.process = subprocess.Popen([*COMMANDS[runtime], "--host", host, "--port",
                                         str(port), "--cache-dir", str(cache_dir)])
        deadline = time.monotonic() + timeout
        while not self.answers_ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise AssertionError(f"the {runtime} runtime at {host}:{port} did not start")
            time.sleep(0.02)  # nothing reports readiness: poll /ping until the deadline

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=10)


def runtime_starter(runtime, cache_dir, port=9090):
    """A ``start`` for ``kubelet.serve_runtime(image, start)``: the real runtime server of
    ``runtime`` ("python3" or "nodejs") on the pod's IP, at ``port``."""
    return lambda ip: RuntimeProcess(runtime, ip, port, cache_dir)
