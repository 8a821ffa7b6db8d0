"""The scaling RPC methods of the execution service (mixed into ``ExecutionService``).

Qinling's admin operations on a function version's workers (``scale_up``, ``scale_down``,
``detach``; version 0 is the function's live code), and the upkeep timer that keeps warm pools
full, stops idle and dead workers and keeps the worker map's etcd lease and watch alive.
The host class provides ``db``, ``engine``, ``_spec``, ``_runnable_spec`` and ``_runtime``.
"""
import logging

from nameko.rpc import rpc
from nameko.timer import timer

from qinling_shared.exceptions import InvalidInput
from qinling_shared.status import RuntimeStatus

from qinling_execution.models import Runtime

LOG = logging.getLogger(__name__)
UPKEEP_INTERVAL = 1.0  # seconds
MAX_SCALE_STEP = 100   # most workers one scale_up or scale_down asks for
SCALABLE_SOURCES = ("package", "swift")


def scale_count(count):
    """A manual scaling step: an integer from 1 to MAX_SCALE_STEP."""
    if isinstance(count, bool) or not isinstance(count, int) or not (
            1 <= count <= MAX_SCALE_STEP):
        raise InvalidInput(f"Invalid count {count!r}: an integer from 1 to {MAX_SCALE_STEP} "
                           "is required.")
    return count


def version_number(version):
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise InvalidInput(f"Invalid function version {version!r}: a non-negative integer "
                           "is required.")
    return version


class ScalingMethods:
    @rpc
    def scale_up_function(self, function_id, version=0, count=1):
        """Start ``count`` more workers of a function version; their names."""
        count, version = scale_count(count), version_number(version)
        spec = self._runnable_spec(function_id, version)
        if spec["code"]["source"] not in SCALABLE_SOURCES:
            raise InvalidInput(f"{spec['code']['source']} functions have no workers to scale.")
        runtime = self._runtime_view(spec["runtime_id"])
        workers = self.engine.placement.scale_up(runtime, function_id, version, count)
        return [worker.name for worker in workers]

    @rpc
    def scale_down_function(self, function_id, version=0, count=1):
        """Stop up to ``count`` workers of a function version, keeping one; their names."""
        count, version = scale_count(count), version_number(version)
        self._visible_version(function_id, version)
        return self.engine.placement.scale_down(function_id, version, count)

    @rpc
    def detach_function(self, function_id, version=0):
        """Release every worker of a function version; the next execution starts afresh."""
        version = version_number(version)
        self._visible_version(function_id, version)
        self.engine.placement.drop_function(function_id, version)

    @timer(interval=UPKEEP_INTERVAL)
    def upkeep(self):
        runtimes = self.db.query(Runtime).filter(
            Runtime.status == RuntimeStatus.AVAILABLE.value).all()
        self.engine.upkeep([{"id": r.id, "image": r.image} for r in runtimes])

    def _visible_version(self, function_id, version):
        """NotFound unless the caller may see the function and the version exists."""
        self._spec(function_id, 0)
        if version:
            self._spec(function_id, version)
