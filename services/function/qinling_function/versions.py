"""Function versions (research §1.4, §2.3), mixed into ``FunctionService``.

Creating and deleting look the function up in the caller's own project even for admins, as
Qinling; reading lets admins see every project's.
"""
import logging
import uuid

import sqlalchemy as sa
from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from qinling_shared import events
from qinling_shared.exceptions import Conflict, Forbidden, QinlingError

from qinling_function import rules, version_rules
from qinling_function.lookups import Lookups
from qinling_function.models import Function, FunctionVersion

LOG = logging.getLogger(__name__)
ATTEMPTS = 5


class FunctionVersions(Lookups):
    @rpc(expected_exceptions=QinlingError)
    def create_version(self, function_id, description=None):
        """Snapshot the function (a copy of its package and its configuration) as version n+1.

        Concurrent creations race on the function's version counter; the loser checks again
        (the limit, "not changed") and retries with the next number.
        """
        description = rules.text({"description": description}, "description")
        for _ in range(ATTEMPTS):
            function = self._own_function(function_id)
            self._check_new_version(function)
            copy = self.storage.copy_package(function.package_key, function.project_id)
            version = self._claim_version(function, description, copy)
            if version is not None:
                self.dispatch(events.VERSION_CREATED, {"function_id": function_id,
                                                       "version": version.version_number})
                return version.to_dict()
            self._discard(copy["key"])
        raise Conflict(f"Function {function_id} is being versioned concurrently; try again.")

    @rpc(expected_exceptions=QinlingError)
    def list_versions(self, function_id):
        return [v.to_dict() for v in self._versions(self._function(function_id).id)]

    @rpc(expected_exceptions=QinlingError)
    def get_version(self, function_id, version):
        number = version_rules.number(version)
        return self._version(self._function(function_id).id, number).to_dict()

    @rpc(expected_exceptions=QinlingError)
    def delete_version(self, function_id, version):
        """Refused while jobs, webhooks or aliases use the version; deletes its package."""
        number = version_rules.number(version)
        function = self._own_function(function_id)
        row = self._version(function.id, number)
        usage = self.trigger.function_usage(function.id, number)
        if usage["jobs"]:
            raise Forbidden("The function version is still associated with running job(s).")
        if usage["webhooks"]:
            raise Forbidden("The function version is still associated with webhook.")
        if self._alias_count(function.id, number):
            raise Forbidden("The function version is still associated with alias.")
        self.db.delete(row)
        self.db.flush()
        function.latest_version = self.db.scalar(
            sa.select(sa.func.coalesce(sa.func.max(FunctionVersion.version_number), 0))
            .where(FunctionVersion.function_id == function.id))
        self.db.commit()
        self._discard(row.package_key)
        self.dispatch(events.VERSION_DELETED, {"function_id": function.id, "version": number})

    def _check_new_version(self, function):
        versions = self._versions(function.id)
        latest = (versions[-1].version_number, versions[-1].snapshot()) if versions else None
        version_rules.check_new_version(function.source, len(versions), latest,
                                        function.snapshot(), self.settings["max_versions"])

    def _claim_version(self, function, description, copy):
        """Insert the next version if the counter is still where it was read; else ``None``."""
        number = function.version_counter + 1
        claimed = self.db.execute(
            sa.update(Function)
            .where(Function.id == function.id, Function.version_counter == number - 1)
            .values(version_counter=number, latest_version=number))
        if claimed.rowcount != 1:
            self.db.rollback()
            return None
        version = FunctionVersion(
            id=str(uuid.uuid4()), project_id=function.project_id, function_id=function.id,
            version_number=number, description=description, count=0,
            **{**function.snapshot(), "package_key": copy["key"],
               "package_sha256": copy["sha256"], "package_md5": copy["md5sum"],
               "package_size": copy["size"]})
        self.db.add(version)
        try:
            self.db.commit()
        except IntegrityError:
            LOG.info("version %s of function %s was taken meanwhile", number, function.id)
            self.db.rollback()
            return None
        return version
