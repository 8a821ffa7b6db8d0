"""Project-scoped reads and package cleanup shared by the function service's RPC groups.

Mixed into ``FunctionService``, whose dependencies (``db``, ``storage``, ``project_id``,
``is_admin``) these methods use.
"""
import logging

import sqlalchemy as sa

from qinling_nameko import queries
from qinling_nameko.database import get_scoped
from qinling_shared.exceptions import NotFound

from qinling_function import version_rules
from qinling_function.models import Function, FunctionAlias, FunctionVersion

LOG = logging.getLogger(__name__)


class Lookups:
    def _function(self, function_id):
        """A function the caller may see (admins see every project's)."""
        return self._function_in(function_id, self.is_admin)

    def _own_function(self, function_id):
        """A function of the caller's own project, even for admins (as Qinling's versions)."""
        return self._function_in(function_id, False)

    def _function_in(self, function_id, is_admin):
        return get_scoped(self.db, Function, function_id, self.project_id, is_admin,
                          f"Function not found [id={function_id}]")

    def _version(self, function_id, number):
        row = self.db.scalar(sa.select(FunctionVersion).where(
            FunctionVersion.function_id == function_id,
            FunctionVersion.version_number == number))
        if row is None:
            raise NotFound(version_rules.not_found(function_id, number))
        return row

    def _versions(self, function_id):
        return list(self.db.scalars(sa.select(FunctionVersion)
                                    .where(FunctionVersion.function_id == function_id)
                                    .order_by(FunctionVersion.version_number)))

    def _alias_count(self, function_id, version=None):
        query = sa.select(sa.func.count()).select_from(FunctionAlias).where(
            FunctionAlias.function_id == function_id)
        if version is not None:
            query = query.where(FunctionAlias.function_version == version)
        return self.db.scalar(query)

    def _listed(self, model, query, filters, sortable):
        """``queries.scoped_rows`` with only the filter fields this model allows."""
        return queries.scoped_rows(self.db, model, query, sortable, self.project_id,
                                   self.is_admin, filters=filters)

    def _discard(self, key):
        """Delete a package; the refusal or deletion it follows matters more, so log and go on."""
        if not key:
            return
        try:
            self.storage.delete_package(key)
        except Exception:
            LOG.exception("could not delete package %s", key)
