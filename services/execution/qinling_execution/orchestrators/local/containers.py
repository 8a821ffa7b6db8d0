"""Image functions on the local container engine: the Docker Engine API (``[local]
container_engine``, e.g. ``unix:///var/run/docker.sock``) through the ``docker`` SDK, whose
requests over the socket are green under eventlet.

Each execution is one container ``qinling-<execution id>`` (``base.container_name``) of the
function's image, labelled with the execution and function ids, its arguments the
execution's input: memory limited to ``memory_size`` with no swap, ``cpu`` millicpu as
NanoCpus, a pids limit, ``no-new-privileges``, every capability dropped, no network unless
``[local] allow_network``, json-file logs bounded on disk. It is killed at the run's
timeout, counted from the container's own start (so a run attached to late keeps it), and
removed once its outcome is collected. A create that finds the name taken attaches to the
container there: a delivery of the execution that died left it (``base`` module docstring).
"""
import datetime
import logging
import threading
import time

import docker
import requests
from docker.errors import APIError, DockerException, ImageNotFound, NotFound
from docker.utils import parse_repository_tag
from urllib3.exceptions import ReadTimeoutError

from qinling_shared.exceptions import InvalidInput, Unavailable

from qinling_execution import image_outcomes
from qinling_execution.orchestrators.base import container_name

LOG = logging.getLogger(__name__)
LABEL_EXECUTION = "org.openstack.qinling.execution_id"
LABEL_FUNCTION = "org.openstack.qinling.function_id"
PIDS_LIMIT = 128            # Qinling's RLIMIT_NPROC of a function
LOG_FILE_SIZE = "2m"        # json-file size on disk (the recorded logs are cut to 1 MiB)
API_TIMEOUT = 30.0          # seconds one engine call may wait for an answer (waits set their own)
POOL_SIZE = 64              # engine connections kept (each running container's wait holds one)
_UNSET_TIME = "0001-01-01T00:00:00Z"


class Containers:
    """The container engine at ``url`` (empty: none, image functions are refused)."""

    def __init__(self, url, allow_network=False, pids_limit=PIDS_LIMIT):
        self.url = url or ""
        self.allow_network = allow_network
        self.pids_limit = pids_limit
        self._client = None
        self._lock = threading.Lock()

    def check(self):
        """``InvalidInput`` naming what is missing unless the engine answers."""
        if not self.url:
            raise InvalidInput("Image functions need a container engine: none is configured "
                               "([local] container_engine).")
        try:
            with _engine_errors(self.url):
                self.client().ping()
        except Unavailable:
            raise InvalidInput(f"Image functions need a container engine: none answers at "
                               f"{self.url} ([local] container_engine).") from None

    def client(self):
        """The engine's client, made on first use (it asks the engine its API version)."""
        if not self.url:
            self.check()
        with self._lock:
            if self._client is None:
                with _engine_errors(self.url):
                    self._client = docker.DockerClient(base_url=self.url, version="auto",
                                                       timeout=API_TIMEOUT,
                                                       max_pool_size=POOL_SIZE)
            return self._client

    def run(self, run):
        """The outcome of ``run`` (``base.ImageRun``) once its container ended."""
        client = self.client()
        with _engine_errors(self.url):
            container = self._container(client, run)
            if isinstance(container, dict):
                return container  # no container: the outcome says why
            try:
                outcome = self._outcome(container, run)
            except Exception:
                self._remove(container)
                raise
            self._remove(container)
            return outcome

    def cancel(self, execution_id):
        """Kill the container of ``execution_id``; ``True`` when it was running."""
        try:
            with _engine_errors(self.url):
                self.client().api.kill(container_name(execution_id))
        except (APIError, Unavailable, InvalidInput) as exc:
            LOG.info("no container of execution %s was killed: %s", execution_id, exc)
            return False
        return True

    def executions(self):
        """Ids of the executions with a container on the engine (none when no engine is
        configured or answers: then there is nothing to remove either)."""
        if not self.url:
            return []
        try:
            with _engine_errors(self.url):
                found = self.client().api.containers(all=True,
                                                     filters={"label": LABEL_EXECUTION})
        except Unavailable as exc:
            LOG.debug("no containers listed: %s", exc)
            return []
        return [container["Labels"][LABEL_EXECUTION] for container in found]

    def remove(self, execution_id):
        """Kill and remove the container of ``execution_id`` if there is one."""
        with _engine_errors(self.url):
            try:
                self.client().api.remove_container(container_name(execution_id), force=True)
            except NotFound:
                pass

    def _container(self, client, run):
        """The container of ``run``: made now, or the one a previous delivery left; or the
        outcome of a run that cannot have one."""
        try:
            return self._create(client, run)
        except ImageNotFound:
            reason = _pull(client, run.image)
            if reason is not None:
                return image_outcomes.not_pulled(run.image, reason)
        except APIError as exc:
            if exc.status_code != 409:
                return image_outcomes.not_started(run.image, _reason(exc))
            LOG.info("execution %s: its container is already there: attaching to it",
                     run.execution_id)
            return client.containers.get(container_name(run.execution_id))
        try:
            return self._create(client, run)
        except APIError as exc:
            return image_outcomes.not_started(run.image, _reason(exc))

    def _create(self, client, run):
        return client.containers.create(
            run.image, command=list(run.args), name=container_name(run.execution_id),
            labels={LABEL_EXECUTION: run.execution_id, LABEL_FUNCTION: run.function_id},
            mem_limit=run.memory_size, memswap_limit=run.memory_size,
            nano_cpus=run.cpu * 10**6, pids_limit=self.pids_limit,
            security_opt=["no-new-privileges"], cap_drop=["ALL"],
            network_mode=None if self.allow_network else "none",
            log_config={"Type": "json-file", "Config": {"max-size": LOG_FILE_SIZE,
                                                        "max-file": "1"}})

    def _outcome(self, container, run):
        if container.attrs["State"]["Status"] == "created":
            try:
                container.start()
            except APIError as exc:
                return image_outcomes.not_started(run.image, _reason(exc))
            container.reload()
        started = _timestamp(container.attrs["State"]["StartedAt"]) or time.time()
        deadline = time.monotonic() + run.timeout - max(0.0, time.time() - started)
        timed_out = not _wait(container, deadline)
        if timed_out:
            _kill(container)
        container.reload()
        state = container.attrs["State"]
        finished = _timestamp(state["FinishedAt"]) or time.time()
        logs = container.logs(stdout=True, stderr=True).decode("utf-8", "replace")
        return image_outcomes.ended(state["ExitCode"], state["OOMKilled"], timed_out,
                                    max(0.0, finished - started), logs, run.timeout)

    def _remove(self, container):
        try:
            container.remove(force=True)
        except NotFound:
            pass  # removed already (by another delivery of the execution)
        except (APIError, DockerException, requests.RequestException) as exc:
            LOG.warning("container %s could not be removed: %s", container.name, exc)


def _wait(container, deadline):
    """``True`` once the container ended, ``False`` if it still runs at ``deadline``."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return not _running(container)
        try:
            container.wait(timeout=left)
            return True
        except requests.ConnectionError as exc:  # the SDK's read timeout over a unix socket
            if not (exc.args and isinstance(exc.args[0], ReadTimeoutError)):
                raise
        except requests.Timeout:
            pass


def _running(container):
    container.reload()
    return container.attrs["State"]["Running"]


def _kill(container):
    try:
        container.kill()
    except APIError as exc:
        if exc.status_code != 409:  # 409: it ended meanwhile
            raise
    container.wait(timeout=API_TIMEOUT)


def _pull(client, image):
    """Pull ``image``; ``None`` once it is there, else the reason it is not."""
    repository, tag = parse_repository_tag(image)
    LOG.info("pulling image %s", image)
    try:
        for event in client.api.pull(repository, tag=tag or "latest", stream=True,
                                     decode=True):
            if isinstance(event, dict) and event.get("error"):
                return event["error"]
    except APIError as exc:
        return _reason(exc)
    return None


def _reason(exc):
    explanation = getattr(exc, "explanation", None)
    if isinstance(explanation, bytes):
        explanation = explanation.decode("utf-8", "replace")
    return explanation or str(exc)


def _timestamp(text):
    """Seconds since the epoch of an engine's RFC 3339 time (nanoseconds cut), or None."""
    if not text or text == _UNSET_TIME:
        return None
    head, _, fraction = text.rstrip("Z").partition(".")
    moment = datetime.datetime.fromisoformat(head).replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp() + (float(f"0.{fraction[:6]}") if fraction else 0.0)


class _engine_errors:
    """Failures to reach or use the engine as ``Unavailable`` (API refusals pass through)."""

    def __init__(self, url):
        self.url = url

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if exc is None or isinstance(exc, APIError) or not isinstance(
                exc, (DockerException, requests.RequestException)):
            return False
        raise Unavailable(f"The container engine at {self.url} failed: {exc}") from exc
