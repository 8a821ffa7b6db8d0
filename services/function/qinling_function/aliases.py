"""Function aliases (research §1.5), mixed into ``FunctionService``.

An alias is a name, unique in its project, for (function, version). Unlike Qinling, the
function must be the caller's and the version must exist (0, the live code, always does),
and listing other projects' aliases is for admins only (research §6 item 16).
"""
import uuid

import sqlalchemy as sa
from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from qinling_shared import events
from qinling_shared.exceptions import Conflict, NotFound, QinlingError

from qinling_function import alias_rules
from qinling_function.lookups import Lookups
from qinling_function.models import FunctionAlias

ALIAS_FILTERS = frozenset(("name", "function_id", "function_version", "description"))
ALIAS_SORTABLE = ("created_at", "updated_at", "name")


class FunctionAliases(Lookups):
    @rpc(expected_exceptions=QinlingError)
    def create_alias(self, values):
        """``{name, function_id, function_version=0, description}`` → the alias."""
        clean = alias_rules.new_alias(values)
        self._check_target(clean["function_id"], clean["function_version"])
        if self._find_alias(clean["name"]) is not None:
            raise Conflict(duplicate(clean["name"]))
        alias = FunctionAlias(id=str(uuid.uuid4()), project_id=self.project_id, **clean)
        self.db.add(alias)
        self._commit_alias(duplicate(alias.name))
        return alias.to_dict()

    @rpc(expected_exceptions=QinlingError)
    def list_aliases(self, query=None):
        return [a.to_dict() for a in self._listed(FunctionAlias, query, ALIAS_FILTERS,
                                                  ALIAS_SORTABLE)]

    @rpc(expected_exceptions=QinlingError)
    def get_alias(self, name):
        return self._alias(name).to_dict()

    @rpc(expected_exceptions=QinlingError)
    def update_alias(self, name, values):
        """Repoint (``function_id``, ``function_version``) or describe; null fields stay."""
        alias = self._alias(name)
        changes = alias_rules.alias_changes(values)
        target = {"function_id": alias.function_id, "function_version": alias.function_version}
        target.update({k: v for k, v in changes.items() if k in target})
        self._check_target(target["function_id"], target["function_version"])
        for field, value in changes.items():
            setattr(alias, field, value)
        self._commit_alias(f"Function alias {name} changed meanwhile; try again.")
        self.dispatch(events.ALIAS_UPDATED, {"name": alias.name, "project_id": alias.project_id})
        return alias.to_dict()

    @rpc(expected_exceptions=QinlingError)
    def delete_alias(self, name):
        alias = self._alias(name)
        self.db.delete(alias)
        self.db.commit()
        self.dispatch(events.ALIAS_DELETED, {"name": alias.name, "project_id": alias.project_id})

    @rpc(expected_exceptions=QinlingError)
    def resolve_alias(self, name):
        """What an execution, job or webhook naming the alias runs now."""
        alias = self._alias(name)
        return {"function_id": alias.function_id, "function_version": alias.function_version}

    def _alias(self, name):
        alias = self._find_alias(name) if isinstance(name, str) else None
        if alias is None:
            raise NotFound(f"FunctionAlias not found [name={name}]")
        return alias

    def _find_alias(self, name):
        return self.db.scalar(sa.select(FunctionAlias).where(
            FunctionAlias.project_id == self.project_id, FunctionAlias.name == name))

    def _check_target(self, function_id, version):
        """The function must be the caller's project's; a version > 0 must exist."""
        function = self._own_function(function_id)
        if version:
            self._version(function.id, version)

    def _commit_alias(self, conflict):
        try:
            self.db.commit()
        except IntegrityError:  # a concurrent twin, or its function deleted meanwhile
            self.db.rollback()
            raise Conflict(conflict) from None


def duplicate(name):
    return f"Function alias {name} already exists."
