"""Handlers of function aliases.

An alias is a name, unique in its project, for (function, version). Unlike Qinling, the
function must be the caller's and the version must exist (0, the live code, always does),
and listing other projects' aliases is for admins only (docs/compatibility.md). Ports: ``db``,
``caller``, ``dispatch``.
"""
import uuid

from sqlalchemy.exc import IntegrityError

from qinling_shared import events
from qinling_shared.exceptions import Conflict

from qinling_function import alias_rules, lookups
from qinling_function.models import FunctionAlias

ALIAS_FILTERS = frozenset(("name", "function_id", "function_version", "description"))
ALIAS_SORTABLE = ("created_at", "updated_at", "name")


def create_alias(values, *, db, caller):
    """``{name, function_id, function_version=0, description}`` → the alias."""
    caller.authorize("function_alias:create")
    clean = alias_rules.new_alias(values)
    check_target(db, caller, clean["function_id"], clean["function_version"])
    if lookups.find_alias(db, caller, clean["name"]) is not None:
        raise Conflict(duplicate(clean["name"]))
    alias = FunctionAlias(id=str(uuid.uuid4()), project_id=caller.project_id, **clean)
    db.add(alias)
    commit(db, duplicate(alias.name))
    return alias.to_dict()


def list_aliases(query, *, db, caller):
    caller.authorize("function_alias:get_all")
    rows = lookups.listed(db, caller, FunctionAlias, query, ALIAS_FILTERS, ALIAS_SORTABLE)
    return [row.to_dict() for row in rows]


def get_alias(name, *, db, caller):
    caller.authorize("function_alias:get")
    return lookups.alias(db, caller, name).to_dict()


def update_alias(name, values, *, db, caller, dispatch):
    """Repoint (``function_id``, ``function_version``) or describe; null fields stay."""
    caller.authorize("function_alias:update")
    alias = lookups.alias(db, caller, name)
    changes = alias_rules.alias_changes(values)
    target = {"function_id": alias.function_id, "function_version": alias.function_version}
    target.update({k: v for k, v in changes.items() if k in target})
    check_target(db, caller, target["function_id"], target["function_version"])
    for field, value in changes.items():
        setattr(alias, field, value)
    commit(db, f"Function alias {name} changed meanwhile; try again.")
    dispatch(events.ALIAS_UPDATED, {"name": alias.name, "project_id": alias.project_id})
    return alias.to_dict()


def delete_alias(name, *, db, caller, dispatch):
    caller.authorize("function_alias:delete")
    alias = lookups.alias(db, caller, name)
    db.delete(alias)
    db.commit()
    dispatch(events.ALIAS_DELETED, {"name": alias.name, "project_id": alias.project_id})


def resolve_alias(name, *, db, caller):
    """What an execution, job or webhook naming the alias runs now."""
    alias = lookups.alias(db, caller, name)
    return {"function_id": alias.function_id, "function_version": alias.function_version}


def check_target(db, caller, function_id, version):
    """The function must be the caller's project's; a version > 0 must exist."""
    function = lookups.own_function(db, caller, function_id)
    if version:
        lookups.version(db, function.id, version)


def commit(db, conflict):
    try:
        db.commit()
    except IntegrityError:  # a concurrent twin, or its function deleted meanwhile
        db.rollback()
        raise Conflict(conflict) from None


def duplicate(name):
    return f"Function alias {name} already exists."
