"""The execution service: runtimes, executions, and the workers that run them."""
import logging

from nameko.events import BROADCAST, event_handler
from nameko.rpc import RpcProxy, rpc

from qinling_shared import events
from qinling_nameko.database import Database
from qinling_shared.exceptions import Conflict, InvalidInput, NotFound
from qinling_nameko.ping import Pingable
from qinling_nameko.providers import IsAdmin, ProjectId
from qinling_shared.status import RuntimeStatus

from qinling_execution.dependencies import EngineProvider
from qinling_execution.executions import ExecutionMethods
from qinling_execution.runtime_methods import RuntimeMethods
from qinling_execution.scaling_methods import ScalingMethods

LOG = logging.getLogger(__name__)


def cache_event(event_type):
    """A handler of an event that makes this service's caches stale. Every replica keeps its
    own caches, so each must hear it: broadcast, not kept while it is down."""
    return event_handler(events.SOURCES[event_type], event_type, handler_type=BROADCAST,
                         reliable_delivery=False)


class ExecutionService(ExecutionMethods, RuntimeMethods, ScalingMethods, Pingable):
    name = "execution"

    db = Database("qinling_execution")
    engine = EngineProvider()
    function = RpcProxy("function")
    storage = RpcProxy("storage")
    project_id = ProjectId()
    is_admin = IsAdmin()

    def health(self):
        return {"orchestrator": self.engine.orchestrator.probe()}

    # -- what to run --------------------------------------------------------------------

    def _alias(self, name):
        """``{function_id, function_version}`` of an alias, as the caller may see it."""
        key = (name, self.project_id)  # alias names are unique per project
        return self.engine.aliases.get(key, lambda: self.function.resolve_alias(name))

    def _runnable_spec(self, function_id, version):
        """The spec to run, checked in Qinling's order: the function exists (404), its
        runtime is available (409), only package functions have versions (400), the version
        exists (404)."""
        live = self._spec(function_id, 0)
        self._check_runtime(live["runtime_id"])
        if not version:
            return live
        if live["code"]["source"] != "package":
            raise InvalidInput("Can not specify version for package type function.")
        spec = self._spec(function_id, version)
        if spec["runtime_id"] != live["runtime_id"]:
            self._check_runtime(spec["runtime_id"])
        return spec

    def _spec(self, function_id, version, check_project=True):
        spec = self.engine.specs.get(
            (function_id, version),
            lambda: self.function.get_function_spec(function_id, version))
        if check_project and not (self.is_admin or spec["project_id"] == self.project_id):
            raise NotFound(f"Function not found [id={function_id}]")
        return spec

    def _check_runtime(self, runtime_id):
        if runtime_id and self._runtime_view(runtime_id)["status"] != RuntimeStatus.AVAILABLE:
            raise Conflict(f"Runtime {runtime_id} is not available.")

    @rpc
    def list_workers(self, function_id, version=0):
        """The workers of a function version, as Qinling's ``GET .../workers`` lists them."""
        self._spec(function_id, 0)
        return [{"function_id": function_id, "function_version": version,
                 "worker_name": worker["name"]}
                for worker in self.engine.worker_map.for_function(function_id, version)]

    # -- keeping caches and workers current ---------------------------------------------

    @rpc
    def forget_function(self, function_id):
        """Called by the function service right after an update that changes what runs:
        drop every cached spec of the function and stop its version-0 workers, so the next
        execution runs the new code. The ``function_updated`` event does the same on every
        other replica."""
        self.engine.specs.forget_group(function_id)
        self.engine.placement.drop_function(function_id, 0)

    @cache_event(events.FUNCTION_UPDATED)
    def on_function_updated(self, payload):
        self.forget_function(payload["id"])

    @cache_event(events.FUNCTION_DELETED)
    def on_function_deleted(self, payload):
        self.engine.specs.forget_group(payload["id"])
        self.engine.placement.drop_all_versions(payload["id"])

    @cache_event(events.VERSION_DELETED)
    def on_version_deleted(self, payload):
        function_id, version = payload["function_id"], int(payload["version"])
        self.engine.specs.forget((function_id, version))
        self.engine.placement.drop_function(function_id, version)

    @cache_event(events.RUNTIME_UPDATED)
    def on_runtime_updated(self, payload):
        self.engine.runtimes.forget((payload["id"],))

    @cache_event(events.RUNTIME_DELETED)
    def on_runtime_deleted(self, payload):
        self.engine.runtimes.forget((payload["id"],))

    @cache_event(events.ALIAS_UPDATED)
    def on_alias_updated(self, payload):
        self.engine.aliases.forget_group(payload["name"])

    @cache_event(events.ALIAS_DELETED)
    def on_alias_deleted(self, payload):
        self.engine.aliases.forget_group(payload["name"])
