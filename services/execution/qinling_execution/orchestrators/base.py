"""The orchestrator contract: what every driver (local, fake, kubernetes) does.

A **worker** is one running runtime server, started by a driver, that runs one function
version's code for one runtime and speaks the worker contract (``runtimes/README.md``:
``GET /ping``, ``POST /execute``, ``POST /cancel``). It is reached at :attr:`Worker.url`. A
**runtime pool** is what a driver keeps per runtime to start workers from (a Kubernetes
Deployment; for the local driver, the runtime's known image).
An **idle** worker is started for a runtime but no function yet (``function_id`` and
``function_version`` are None); the execution service keeps a few per runtime (its warm pool)
and **binds** one to a function on a cold start, so that no process starts on the request path.

Rules every driver keeps:

- ``create_pool`` and ``delete_pool`` are idempotent: creating an existing pool updates its image;
  deleting a missing pool does nothing. Deleting a pool stops its workers.
- ``start_worker`` is idempotent by worker name: asking again for a running worker returns it
  unchanged. Its ``limits`` are the function's cpu and memory: a driver whose workers are
  containers (kubernetes) gives them to the worker's container; the local driver applies each
  execution's own limits instead (they come with ``/execute``). ``None``: the driver's
  default. It creates the runtime's pool if needed. It returns only once the worker answers
  ``/ping``; the driver's start timeout covers process (or pod) start-up until that first
  answer, not the executions that follow. Each execution's timeout is enforced by the worker
  itself, and by the caller's HTTP read timeout.
- ``start_idle_worker`` is idempotent by name like ``start_worker``, and ready on return too.
- ``bind_worker`` turns an idle worker into the worker of one function version, keeping its
  name; binding it again to the same function version returns it unchanged. A driver whose
  idle workers' limits differ from the function's ``limits`` replaces the idle worker by one
  with the function's limits (same name). The worker learns
  the function's package from its first ``/execute``, so for a driver whose workers fetch code
  that way binding is bookkeeping. A driver that cannot specialise a running worker may stop it
  and start the function's worker in its place, as long as it returns that worker, ready.
- ``stop_worker`` is idempotent: stopping an unknown or already stopped worker does nothing.
  It stops idle workers too.
- ``list_workers`` and ``pool_info`` count idle workers: ``pool_info.available`` is the
  runtime's idle workers, ``total`` all of its workers.
- Worker names are DNS labels (lower-case letters, digits and '-', at most 63 characters), so
  that every driver can use them as-is.
- Drivers never decide when to scale; the execution service does (pure functions of load).
- Errors are wire errors: a bad image or name is ``InvalidInput``, a worker that cannot be
  started is ``Unavailable``, a missing pool is ``NotFound``, a name taken by another
  function's worker is ``Conflict``; binding an unknown or stopped worker is ``NotFound``.

Image functions (``code.source = image``) run on the driver too, without workers: each
execution is one container of the function's image (a Kubernetes pod; for the local driver a
container on the local Docker Engine), named ``qinling-<execution id>`` and labelled with the
execution and function ids, whose arguments are the execution's input (``image_args``):

- ``check_images`` answers whether this driver can run them now: ``InvalidInput`` naming what
  is missing (no container engine configured, or none answers), so that a function or an
  execution is refused with a 400 before anything is accepted.
- ``run_image`` runs an :class:`ImageRun` once and returns its **outcome**, in the worker's
  shape (``{output, success, duration, logs}``, the rules of ``image_outcomes``): the
  container gets the run's memory (no swap), cpu and a pids limit, no new privileges and no
  capabilities; it is killed at the run's timeout; its stdout and stderr are the logs; it is
  removed once its outcome is collected, whatever happened (unless the service is stopping:
  then it is left for a redelivery). An image the engine does not have is pulled first; one
  that cannot be had is a ``failed`` outcome saying so. It is idempotent by execution id: when
  the container ``qinling-<execution id>`` is already there (a delivery of the execution that
  died), it is attached to (awaited, or its ended state collected), never started twice.
  ``InvalidInput`` when the driver has no container engine, ``Unavailable`` when the engine
  fails (the run may be retried: it attaches to what is left).
- ``cancel_image`` kills the container of a running execution (``True`` when there was one);
  its ``run_image`` then returns.
- ``image_executions`` lists the executions that have a container there now (running or
  ended), and ``remove_image`` kills and removes one (idempotent): the execution service
  removes what no run will collect, e.g. the container of a synchronous execution whose
  service was killed (``image_reaping``).

Drivers are built from a plain settings dict (``from_settings``); they never read global config.
"""
import abc
import re
from dataclasses import dataclass

from qinling_shared.exceptions import InvalidInput

_WORKER_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class Worker:
    name: str
    url: str
    runtime_id: str
    function_id: str | None        # None while idle
    function_version: int | None   # None while idle

    @property
    def idle(self):
        return self.function_id is None


@dataclass(frozen=True)
class Limits:
    """A function's ``cpu`` (millicpu) and ``memory_size`` (bytes), for its workers."""
    cpu: int
    memory_size: int

    @classmethod
    def of(cls, spec):
        """The limits of a function spec (``cpu`` and ``memory_size``)."""
        return cls(cpu=int(spec["cpu"]), memory_size=int(spec["memory_size"]))


@dataclass(frozen=True)
class ImageRun:
    """One run of an image function's execution: its container's image, arguments and
    limits (``cpu`` in millicpu, ``memory_size`` in bytes, ``timeout`` in seconds)."""
    execution_id: str
    function_id: str
    image: str
    args: tuple[str, ...]
    cpu: int
    memory_size: int
    timeout: float


def container_name(execution_id):
    """The name of the container of an execution of an image function."""
    return f"qinling-{execution_id}"


@dataclass(frozen=True)
class PoolInfo:
    total: int
    available: int


def check_worker_name(name):
    """Refuse a worker name that is not a DNS label (``InvalidInput``)."""
    if not isinstance(name, str) or not _WORKER_NAME.match(name):
        raise InvalidInput(
            f"Invalid worker name {name!r}: use at most 63 lower-case letters, digits and "
            "'-', starting and ending with a letter or digit.")


class Orchestrator(abc.ABC):
    """Starts, lists and stops workers. See the module docstring for the contract."""

    @classmethod
    @abc.abstractmethod
    def from_settings(cls, settings: dict) -> "Orchestrator":
        """Build the driver from a plain dict of its settings."""

    @abc.abstractmethod
    def create_pool(self, runtime_id: str, image: str) -> None:
        """Make (or update) the pool of a runtime; ``InvalidInput`` for an unusable image."""

    @abc.abstractmethod
    def delete_pool(self, runtime_id: str) -> None:
        """Stop the runtime's workers and forget its pool."""

    @abc.abstractmethod
    def pool_info(self, runtime_id: str) -> PoolInfo:
        """Capacity of a runtime's pool; ``NotFound`` when there is no such pool."""

    @abc.abstractmethod
    def start_worker(self, runtime_id: str, image: str, function_id: str,
                     function_version: int, name: str, limits: Limits | None = None) -> Worker:
        """Start (or return the running) worker ``name``; ready to answer /execute."""

    @abc.abstractmethod
    def start_idle_worker(self, runtime_id: str, image: str, name: str) -> Worker:
        """Start (or return the running) idle worker ``name`` of a runtime: bound to no
        function, ready to be bound by :meth:`bind_worker`."""

    @abc.abstractmethod
    def bind_worker(self, name: str, function_id: str, function_version: int,
                    limits: Limits | None = None) -> Worker:
        """Make the idle worker ``name`` the worker of a function version; the bound worker,
        ready to answer /execute. ``NotFound`` when ``name`` does not run; ``Conflict`` when it
        is bound to another function version."""

    @abc.abstractmethod
    def stop_worker(self, name: str) -> None:
        """Stop the worker ``name`` if it runs."""

    @abc.abstractmethod
    def list_workers(self) -> list[Worker]:
        """Workers this driver runs now (stopped or crashed ones are left out)."""

    def worker_alive(self, name: str, grace: float = 0.0) -> bool:
        """Whether the worker ``name`` still runs, from what the driver knows already (no
        call to the worker): asked when a run could not reach its worker or lost it. A worker
        whose server died may take ``grace`` seconds to be gone as a whole."""
        return any(worker.name == name for worker in self.list_workers())

    @abc.abstractmethod
    def check_images(self) -> None:
        """Return when this driver can run image functions now; else ``InvalidInput`` whose
        text names what is missing."""

    @abc.abstractmethod
    def run_image(self, run: ImageRun) -> dict:
        """Run (or attach to) the container of ``run``; its outcome once it ended."""

    @abc.abstractmethod
    def cancel_image(self, execution_id: str) -> bool:
        """Kill the container of ``execution_id``; ``True`` when it was running."""

    @abc.abstractmethod
    def image_executions(self) -> list[str]:
        """Ids of the executions whose container is there now (empty without an engine)."""

    @abc.abstractmethod
    def remove_image(self, execution_id: str) -> None:
        """Kill and remove the container of ``execution_id`` if there is one."""

    @abc.abstractmethod
    def probe(self) -> dict:
        """Facts for /healthz, e.g. ``{"driver": "local", "isolation": [...]}``."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop every worker this driver started."""
