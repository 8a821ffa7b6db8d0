"""The execution service: runtimes, executions, and the workers that run them."""
import logging
import uuid

from nameko.events import BROADCAST, event_handler
from nameko.rpc import RpcProxy, rpc

from qinling_shared import events
from qinling_shared.database import Database, get_scoped
from qinling_shared.exceptions import Conflict, InvalidInput, NotFound, QinlingError
from qinling_shared.ping import Pingable
from qinling_shared.providers import IsAdmin, ProjectId
from qinling_shared.status import ExecutionStatus, RuntimeStatus

from qinling_execution import listings, requests_rules
from qinling_execution.dependencies import EngineProvider
from qinling_execution.models import Execution
from qinling_execution.runtime_methods import RuntimeMethods

LOG = logging.getLogger(__name__)
RUNNABLE_SOURCES = ("package", "swift")


def cache_event(event_type):
    """A handler of a function service event that makes this service's caches stale. Every
    replica keeps its own caches, so each must hear it: broadcast, not kept while it is down."""
    return event_handler("function", event_type, handler_type=BROADCAST,
                         reliable_delivery=False)


class ExecutionService(RuntimeMethods, Pingable):
    name = "execution"

    db = Database("qinling_execution")
    engine = EngineProvider()
    function = RpcProxy("function")
    storage = RpcProxy("storage")
    myself = RpcProxy("execution")
    project_id = ProjectId()
    is_admin = IsAdmin()

    def health(self):
        return {"orchestrator": self.engine.orchestrator.probe()}

    # -- executions ---------------------------------------------------------------------

    @rpc
    def create_execution(self, values):
        clean = requests_rules.new_execution(values)
        if clean["function_alias"]:
            target = self._alias(clean["function_alias"])
            clean["function_id"] = target["function_id"]
            clean["function_version"] = target["function_version"]
        spec = self._runnable_spec(clean["function_id"], clean["function_version"])
        execution = Execution(id=str(uuid.uuid4()), project_id=self.project_id,
                              status=ExecutionStatus.RUNNING.value, **clean)
        self.db.add(execution)
        self.db.commit()
        if execution.sync:
            self._run(execution, spec)
        else:
            self.myself.run_execution.call_async(execution.id)
        return execution.to_dict()

    @rpc
    def run_execution(self, execution_id):
        """Run an accepted asynchronous execution."""
        execution = self.db.get(Execution, execution_id)
        if execution is None or execution.status != ExecutionStatus.RUNNING:
            return
        self._run(execution)

    @rpc
    def get_execution(self, execution_id):
        return self._execution(execution_id).to_dict()

    @rpc
    def get_execution_log(self, execution_id):
        return self._execution(execution_id).logs or ""

    @rpc
    def list_executions(self, query=None):
        rows = listings.executions(self.db, query, self.project_id, self.is_admin)
        return [execution.to_dict() for execution in rows]

    @rpc
    def delete_execution(self, execution_id):
        self.db.delete(self._execution(execution_id))
        self.db.commit()

    def _execution(self, execution_id):
        return get_scoped(self.db, Execution, execution_id, self.project_id, self.is_admin,
                          f"Execution not found [id={execution_id}]")

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
        if runtime_id and self._runtime(runtime_id).status != RuntimeStatus.AVAILABLE:
            raise Conflict(f"Runtime {runtime_id} is not available.")

    # -- running ------------------------------------------------------------------------

    def _run(self, execution, spec=None):
        """Run ``execution`` (with ``spec``, or its function's, loaded now) and record it."""
        try:
            if spec is None:
                spec = self._spec(execution.function_id, execution.function_version,
                                  check_project=False)
            outcome = self._invoke(execution, spec)
        except QinlingError as exc:
            LOG.warning("execution %s could not run: %s", execution.id, exc)
            outcome = {"success": None, "output": "Function execution failed.",
                       "logs": f"{exc}\n", "duration": 0}
        status = {True: ExecutionStatus.SUCCESS, False: ExecutionStatus.FAILED,
                  None: ExecutionStatus.ERROR}[outcome["success"]]
        execution.status = status.value
        execution.result = {"output": outcome.get("output"), "duration": outcome.get("duration")}
        execution.logs = outcome.get("logs", "")
        self.db.commit()

    def _invoke(self, execution, spec):
        if spec["code"]["source"] not in RUNNABLE_SOURCES:
            raise InvalidInput(
                f"{spec['code']['source']} functions are not supported by this orchestrator yet.")
        runtime = self._runtime(spec["runtime_id"]).to_dict()
        engine = self.engine
        body = {
            "execution_id": execution.id, "function_id": spec["id"],
            "function_version": execution.function_version, "entry": spec["entry"],
            "input": execution.input, "timeout": spec["timeout"], "cpu": spec["cpu"],
            "memory_size": spec["memory_size"],
            "package_url": engine.package_urls.get(spec["package_key"], self.storage.sign_url),
            "package_sha256": spec.get("package_sha256"),
            "package_md5": spec.get("package_md5"),
        }
        with engine.placement.worker_for(runtime, spec["id"], execution.function_version) as w:
            return engine.worker_client.execute(w.url, body, spec["timeout"])

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

    @cache_event(events.ALIAS_UPDATED)
    def on_alias_updated(self, payload):
        self.engine.aliases.forget_group(payload["name"])

    @cache_event(events.ALIAS_DELETED)
    def on_alias_deleted(self, payload):
        self.engine.aliases.forget_group(payload["name"])
