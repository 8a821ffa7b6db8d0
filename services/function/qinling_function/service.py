"""The function service: owns the ``functions`` table, answers RPC, dispatches events."""
import logging
import uuid

from nameko.events import EventDispatcher
from nameko.rpc import RpcProxy, rpc
from sqlalchemy import select

from qinling_shared import events
from qinling_shared.providers import IsAdmin, ProjectId
from qinling_shared.database import Database, get_scoped
from qinling_shared.exceptions import InvalidInput
from qinling_shared.ping import Pingable
from qinling_shared.status import RuntimeStatus

from qinling_function import rules
from qinling_function.dependencies import Limits
from qinling_function.models import Function

LOG = logging.getLogger(__name__)


class FunctionService(Pingable):
    name = "function"

    db = Database("qinling_function")
    limits = Limits()
    storage = RpcProxy("storage")
    execution = RpcProxy("execution")
    dispatch = EventDispatcher()
    project_id = ProjectId()
    is_admin = IsAdmin()

    @rpc
    def create_function(self, values, package=None):
        """Create a function from the form fields of ``POST /v1/functions``.

        ``package`` describes an upload the storage service already holds; whatever goes
        wrong, it is deleted, so a refused function leaves nothing behind.
        """
        try:
            clean = self._validate(values, package)
        except Exception:
            if package is not None:
                self._discard(package["key"])
            raise
        if package is not None:
            clean["code"] = {**clean["code"], "md5sum": package["md5sum"]}
        function = Function(
            id=str(uuid.uuid4()), project_id=self.project_id, count=0, latest_version=0,
            package_key=package and package["key"], package_sha256=package and package["sha256"],
            package_size=package and package["size"], **clean)
        self.db.add(function)
        self.db.commit()
        self.dispatch(events.FUNCTION_CREATED, {"id": function.id})
        return function.to_dict()

    @rpc
    def get_function(self, function_id):
        return self._get(function_id).to_dict()

    @rpc
    def list_functions(self):
        query = select(Function).where(Function.project_id == self.project_id)
        return [f.to_dict() for f in self.db.scalars(query.order_by(Function.created_at))]

    @rpc
    def get_function_spec(self, function_id):
        return self._get(function_id).to_spec()

    def _get(self, function_id):
        return get_scoped(self.db, Function, function_id, self.project_id, self.is_admin,
                          f"Function not found [id={function_id}]")

    def _validate(self, values, package):
        if not isinstance(values, dict):
            raise InvalidInput("Invalid request: an object of fields is required.")
        clean = rules.new_function(values, self.limits)
        if clean["code"]["source"] == "swift":
            raise InvalidInput("Swift object not supported.")
        if clean["runtime_id"]:
            runtime = self.execution.get_runtime(clean["runtime_id"])
            if runtime["status"] != RuntimeStatus.AVAILABLE:
                raise InvalidInput(f"Runtime {clean['runtime_id']} is not available.")
        rules.check_package(clean["code"], package)
        return clean

    def _discard(self, key):
        try:
            self.storage.delete_package(key)
        except Exception:  # the refusal matters more than the cleanup; log and go on
            LOG.exception("could not delete refused package %s", key)
