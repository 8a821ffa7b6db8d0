"""The execution service: runtimes, executions, and the workers that run them."""
import logging
import uuid

from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc
from sqlalchemy import or_, select

from qinling_shared import events
from qinling_shared.providers import IsAdmin, ProjectId
from qinling_shared.database import Database, get_scoped
from qinling_shared.exceptions import Conflict, InvalidInput, NotFound, QinlingError
from qinling_shared.ping import Pingable
from qinling_shared.status import ExecutionStatus, RuntimeStatus

from qinling_execution import requests_rules, runtime_rules
from qinling_execution.dependencies import EngineProvider
from qinling_execution.models import Execution, Runtime

LOG = logging.getLogger(__name__)
LIST_FILTERS = ("function_id", "function_version", "status", "description")


class ExecutionService(Pingable):
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

    # -- runtimes -----------------------------------------------------------------------

    @rpc
    def create_runtime(self, values):
        clean = runtime_rules.new_runtime(values)
        runtime = Runtime(id=str(uuid.uuid4()), project_id=self.project_id,
                          status=RuntimeStatus.CREATING.value, **clean)
        self.db.add(runtime)
        self.db.commit()
        try:
            self.engine.orchestrator.create_pool(runtime.id, runtime.image)
        except InvalidInput:
            self.db.delete(runtime)
            self.db.commit()
            raise
        except Exception:
            LOG.exception("pool of runtime %s failed", runtime.id)
            runtime.status = RuntimeStatus.ERROR.value
        else:
            runtime.status = RuntimeStatus.AVAILABLE.value
        self.db.commit()
        return runtime.to_dict()

    @rpc
    def get_runtime(self, runtime_id):
        return self._runtime(runtime_id).to_dict()

    @rpc
    def list_runtimes(self):
        query = select(Runtime).where(
            or_(Runtime.project_id == self.project_id, Runtime.is_public.is_(True)))
        return [r.to_dict() for r in self.db.scalars(query.order_by(Runtime.created_at))]

    def _runtime(self, runtime_id):
        runtime = self.db.get(Runtime, runtime_id) if isinstance(runtime_id, str) else None
        if runtime is None or not (runtime.is_public or self.is_admin
                                   or runtime.project_id == self.project_id):
            raise NotFound(f"Runtime not found [id={runtime_id}]")
        return runtime

    # -- executions ---------------------------------------------------------------------

    @rpc
    def create_execution(self, values):
        clean = requests_rules.new_execution(values)
        if clean["function_alias"] and not clean["function_id"]:
            raise NotFound(f"FunctionAlias not found [name={clean['function_alias']}]")
        spec = self._spec(clean["function_id"])
        if clean["function_version"]:
            raise NotFound(f"FunctionVersion not found [function_id={spec['id']}, "
                           f"version_number={clean['function_version']}]")
        if spec["runtime_id"]:
            runtime = self._runtime(spec["runtime_id"])
            if runtime.status != RuntimeStatus.AVAILABLE:
                raise Conflict(f"Runtime {runtime.id} is not available.")
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
        self._run(execution, self._spec(execution.function_id, check_project=False))

    @rpc
    def get_execution(self, execution_id):
        return self._execution(execution_id).to_dict()

    @rpc
    def get_execution_log(self, execution_id):
        return self._execution(execution_id).logs or ""

    @rpc
    def list_executions(self, filters=None):
        query = select(Execution)
        if not self.is_admin or not (filters or {}).get("all_projects"):
            query = query.where(Execution.project_id == self.project_id)
        for name, value in (filters or {}).items():
            if name == "all_projects":
                continue
            if name not in LIST_FILTERS:
                raise InvalidInput(f"Invalid filter {name!r}; known: {', '.join(LIST_FILTERS)}.")
            query = query.where(getattr(Execution, name) == value)
        return [e.to_dict() for e in self.db.scalars(query.order_by(Execution.created_at))]

    @rpc
    def delete_execution(self, execution_id):
        self.db.delete(self._execution(execution_id))
        self.db.commit()

    def _execution(self, execution_id):
        return get_scoped(self.db, Execution, execution_id, self.project_id, self.is_admin,
                          f"Execution not found [id={execution_id}]")

    def _spec(self, function_id, check_project=True):
        spec = self.engine.specs.get(function_id, self.function.get_function_spec)
        if check_project and not (self.is_admin or spec["project_id"] == self.project_id):
            raise NotFound(f"Function not found [id={function_id}]")
        return spec

    def _run(self, execution, spec):
        try:
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
        if spec["code"]["source"] != "package":
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
            "package_sha256": spec["package_sha256"],
        }
        with engine.placement.worker_for(runtime, spec["id"], execution.function_version) as w:
            return engine.worker_client.execute(w.url, body, spec["timeout"])

    # -- events -------------------------------------------------------------------------

    @event_handler("function", events.FUNCTION_UPDATED)
    def on_function_updated(self, payload):
        self._forget(payload["id"])

    @event_handler("function", events.FUNCTION_DELETED)
    def on_function_deleted(self, payload):
        self._forget(payload["id"])

    def _forget(self, function_id):
        self.engine.specs.forget(function_id)
        self.engine.placement.drop_function(function_id, 0)
