"""The function service: owns functions, their versions and aliases; answers RPC, dispatches
events. Updates, versions and aliases live in their own modules, mixed in here."""
import uuid

import sqlalchemy as sa
from nameko.events import EventDispatcher
from nameko.rpc import RpcProxy, rpc
from sqlalchemy.exc import IntegrityError

from qinling_shared import events
from qinling_nameko.providers import IsAdmin, ProjectId
from qinling_nameko.database import Database
from qinling_shared.exceptions import Forbidden, InvalidInput, NotAllowed, QinlingError
from qinling_nameko.ping import Pingable
from qinling_shared.status import RuntimeStatus

from qinling_function import rules, version_rules
from qinling_function.aliases import FunctionAliases
from qinling_function.dependencies import Limits, Settings
from qinling_function.models import Function, FunctionVersion
from qinling_function.updates import FunctionUpdates
from qinling_function.versions import FunctionVersions

FUNCTION_FILTERS = frozenset(("id", "name", "description", "runtime_id", "entry", "cpu",
                              "memory_size", "timeout", "count", "latest_version"))
FUNCTION_SORTABLE = ("created_at", "updated_at", "name")
IN_USE = "The function is still associated with {}."


class FunctionService(FunctionUpdates, FunctionVersions, FunctionAliases, Pingable):
    name = "function"

    db = Database("qinling_function")
    limits = Limits()
    settings = Settings()
    storage = RpcProxy("storage")
    execution = RpcProxy("execution")
    trigger = RpcProxy("trigger")
    dispatch = EventDispatcher()
    project_id = ProjectId()
    is_admin = IsAdmin()

    @rpc(expected_exceptions=QinlingError)
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
        function = Function(id=str(uuid.uuid4()), project_id=self.project_id, count=0,
                            latest_version=0, version_counter=0, **clean)
        self.db.add(function)
        self.db.commit()
        self.dispatch(events.FUNCTION_CREATED, {"id": function.id})
        return function.to_dict()

    @rpc(expected_exceptions=QinlingError)
    def get_function(self, function_id):
        return self._function(function_id).to_dict()

    @rpc(expected_exceptions=QinlingError)
    def list_functions(self, query=None):
        return [f.to_dict() for f in self._listed(Function, query, FUNCTION_FILTERS,
                                                  FUNCTION_SORTABLE)]

    @rpc(expected_exceptions=QinlingError)
    def get_function_spec(self, function_id, version=0):
        """What the execution service runs: the live function (0) or a version's snapshot."""
        number = version_rules.number(version)
        function = self._function(function_id)
        return (self._version(function.id, number) if number else function).to_spec()

    @rpc(expected_exceptions=QinlingError)
    def get_package_url(self, function_id, version=0):
        """A signed download URL of the function's (or a version's) code."""
        number = version_rules.number(version)
        function = self._function(function_id)
        if function.source == "image":
            raise NotAllowed("Download image function is not allowed.")
        row = self._version(function.id, number) if number else function
        return self.storage.sign_url(row.package_key)

    @rpc(expected_exceptions=QinlingError)
    def count_functions(self, runtime_id):
        """How many functions of any project run on ``runtime_id``."""
        return self.db.scalar(sa.select(sa.func.count()).select_from(Function)
                              .where(Function.runtime_id == runtime_id))

    @rpc(expected_exceptions=QinlingError)
    def delete_function(self, function_id):
        """Delete a function, its versions and every package it owns; executions stay."""
        function = self._function(function_id)
        self._check_deletable(function)
        keys = [v.package_key for v in self._versions(function.id)]
        if function.source == "package":  # a swift function's object is the user's
            keys.append(function.package_key)
        self.db.execute(sa.delete(FunctionVersion)
                        .where(FunctionVersion.function_id == function.id))
        self.db.delete(function)
        try:
            self.db.commit()
        except IntegrityError:  # an alias made meanwhile still points at it
            self.db.rollback()
            raise Forbidden(IN_USE.format("function alias(es)")) from None
        for key in keys:
            self._discard(key)
        self.dispatch(events.FUNCTION_DELETED, {"id": function.id})

    def _check_deletable(self, function):
        usage = self.trigger.function_usage(function.id)
        if usage["jobs"]:
            raise Forbidden(IN_USE.format("running job(s)"))
        if usage["webhooks"]:
            raise Forbidden(IN_USE.format("webhook(s)"))
        if self._alias_count(function.id):
            raise Forbidden(IN_USE.format("function alias(es)"))
        if function.project_id != self.project_id:  # even admins: Qinling's rule
            raise Forbidden("Function can only be deleted by its owner.")

    def _validate(self, values, package):
        """The clean columns of a new function, or a refusal (Qinling's order)."""
        if not isinstance(values, dict):
            raise InvalidInput("Invalid request: an object of fields is required.")
        clean = rules.new_function(values, self.limits)
        if clean["runtime_id"]:
            runtime = self.execution.get_runtime(clean["runtime_id"])
            if runtime["status"] != RuntimeStatus.AVAILABLE:
                raise InvalidInput(f"Runtime {clean['runtime_id']} is not available.")
        rules.check_package(clean["code"], package)
        if package is not None:
            clean.update(code={**clean["code"], "md5sum": package["md5sum"]},
                         package_key=package["key"], package_sha256=package["sha256"],
                         package_md5=package["md5sum"], package_size=package["size"])
        elif clean["code"]["source"] == "swift":
            clean.update(self._swift_package(clean["code"]))
        return clean

    def _swift_package(self, code):
        container, obj = rules.swift_location(code)
        stat = self.storage.stat_swift_object(container, obj)
        return {"code": rules.swift_code(container, obj),
                "package_key": rules.swift_key(container, obj), "package_sha256": None,
                "package_md5": stat["etag"], "package_size": stat["size"]}
