"""List queries on the execution service's tables (``qinling_shared.listing`` query dicts).

Runtimes keep Qinling's visibility: a caller sees its own project's runtimes and every public
one; admins may ask for all projects or one named project.
"""
import sqlalchemy as sa

from qinling_nameko import queries

from qinling_execution.models import Execution, Runtime

EXECUTION_FILTERS = ("function_id", "function_version", "function_alias", "status",
                     "description", "sync")
EXECUTION_SORT = ("created_at", "updated_at", "status")
RUNTIME_FILTERS = ("name", "description", "image", "status", "is_public", "trusted")
RUNTIME_SORT = ("created_at", "updated_at", "status")


def executions(session, query, project_id, may_list_all):
    return queries.scoped_rows(session, Execution, query, EXECUTION_SORT, project_id, may_list_all,
                               filters=EXECUTION_FILTERS)


def runtimes(session, query, project_id, may_list_all):
    visible = sa.or_(Runtime.project_id == project_id, Runtime.is_public.is_(True))
    return queries.scoped_rows(session, Runtime, query, RUNTIME_SORT, project_id, may_list_all,
                               filters=RUNTIME_FILTERS, visible=visible)
