"""The Compose deployment as the fault rounds (``qinling_testing.post_rounds``) drive a
platform: ``kill``, ``start``, ``wait_healthy``, ``url`` and ``rabbit.transport_url``.

A crash is a SIGKILL from the host, as the OOM killer or a fatal bug deals it:

- of a container's main process, for every service but the execution service: the container
  exits and Compose's restart policy (``restart: unless-stopped``) starts it again. (``docker
  kill`` would not do: to Docker it is a manual stop, which its restart policies ignore.)
- of the execution service's process in its first replica: the container's supervisor
  (``qinling-respawn``) starts it again in place, while its workers linger and keep their
  runs' outcomes for it, as under ``make run``.
"""
import os
import pathlib
import time
import types

import requests

HEALTH_DEADLINE = 120.0
READY_FILE = "/tmp/qinling-ready"   # compose.yaml's QINLING_READY_FILE


class CrashedPlatform:
    def __init__(self, project):
        self.project = project
        self.url = project.api_url
        rabbitmq = project.ip(project.containers("rabbitmq")[0])
        self.rabbit = types.SimpleNamespace(
            transport_url=f"rabbit://qinling:qinling@{rabbitmq}:5672/")
        self.crashed = {}   # service -> (container, its restart count before)
        self.killed = None  # the pid killed last

    def kill(self, service, signum):
        container = self.project.containers(service)[0]
        self.crashed[service] = (container, self.project.restarts(container))
        pid = self.project.main_pid(container)
        if service == "execution":
            pid = service_process(pid, "qinling-execution")
        self.killed = pid
        os.kill(pid, signum)

    def start(self, service):
        """Wait until the crashed container runs again (its restart policy), or its crashed
        execution service does (its supervisor)."""
        container, restarts = self.crashed[service]
        give_up = time.monotonic() + HEALTH_DEADLINE
        while not self._back(service, container, restarts):
            assert time.monotonic() < give_up, f"{service} did not come back"
            time.sleep(0.2)

    def _back(self, service, container, restarts):
        if service == "execution":  # a new process, which made its ready file
            try:
                again = service_process(self.project.main_pid(container), "qinling-execution")
            except LookupError:
                return False
            return again != self.killed and self.project.compose(
                "exec", "-T", "--index", "1", "execution", "test", "-f", READY_FILE,
                check=False).returncode == 0
        return self.project.restarts(container) > restarts and \
            self.project.inspect(container, "{{.State.Running}}") == "true"

    def wait_healthy(self, timeout):
        give_up = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{self.url}/healthz", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            assert time.monotonic() < give_up, "the deployment did not become healthy"
            time.sleep(0.2)


def service_process(pid, name):
    """The descendant of ``pid`` that runs the program ``name`` (its interpreter's first
    argument, not an argument of the supervisor that starts it)."""
    for child in children(pid):
        if any(part.endswith("/" + name) for part in cmdline(child)[:2]):
            return child
        try:
            return service_process(child, name)
        except LookupError:
            continue
    raise LookupError(f"no process {name} under {pid}")


def children(pid):
    found = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:  # the parent's pid, after the state
            found.append(int(stat.parent.name))
    return found


def cmdline(pid):
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    except FileNotFoundError:
        return []
