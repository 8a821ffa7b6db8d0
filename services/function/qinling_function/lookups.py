"""Project-scoped reads of the function service's tables: plain functions of a session.

``caller`` is the ``qinling_nameko.providers.Caller`` of the request (its project, whether it
is an admin).
"""
import sqlalchemy as sa

from qinling_nameko import queries
from qinling_nameko.database import get_scoped
from qinling_shared.exceptions import NotFound

from qinling_function import version_rules
from qinling_function.models import Function, FunctionAlias, FunctionVersion


def function(db, caller, function_id):
    """A function the caller may see (admins see every project's)."""
    return function_of(db, caller.project_id, caller.is_admin, function_id)


def own_function(db, caller, function_id):
    """A function of the caller's own project, even for admins (as Qinling's versions)."""
    return function_of(db, caller.project_id, False, function_id)


def function_of(db, project_id, any_project, function_id):
    return get_scoped(db, Function, function_id, project_id, any_project,
                      f"Function not found [id={function_id}]")


def version(db, function_id, number):
    """Version ``number`` (> 0) of a function; ``NotFound`` in Qinling's words."""
    row = db.scalar(sa.select(FunctionVersion).where(
        FunctionVersion.function_id == function_id,
        FunctionVersion.version_number == number))
    if row is None:
        raise NotFound(version_rules.not_found(function_id, number))
    return row


def runnable(db, function, number):
    """What runs for version ``number`` of ``function``: the function itself for 0."""
    return version(db, function.id, number) if number else function


def versions(db, function_id):
    """A function's versions, oldest first."""
    return list(db.scalars(sa.select(FunctionVersion)
                           .where(FunctionVersion.function_id == function_id)
                           .order_by(FunctionVersion.version_number)))


def alias_count(db, function_id, number=None):
    """How many aliases point at a function (at one of its versions if ``number`` is set)."""
    query = sa.select(sa.func.count()).select_from(FunctionAlias).where(
        FunctionAlias.function_id == function_id)
    if number is not None:
        query = query.where(FunctionAlias.function_version == number)
    return db.scalar(query)


def find_alias(db, caller, name):
    """The caller's project's alias called ``name``, or ``None``."""
    return db.scalar(sa.select(FunctionAlias).where(
        FunctionAlias.project_id == caller.project_id, FunctionAlias.name == name))


def alias(db, caller, name):
    """The caller's project's alias called ``name``; ``NotFound`` in Qinling's words."""
    row = find_alias(db, caller, name) if isinstance(name, str) else None
    if row is None:
        raise NotFound(f"FunctionAlias not found [name={name}]")
    return row


def listed(db, caller, model, query, filters, sortable):
    """``queries.scoped_rows`` with the filter fields this model allows."""
    resource = {Function: "function", FunctionAlias: "function_alias"}[model]
    return queries.scoped_rows(db, model, query, sortable, caller.project_id,
                               caller.may_list_all(resource),
                               filters=filters)
