"""Tenancy travels as nameko context data, set once by the gateway.

The gateway sends headers ``nameko.<key>``; services read them through these providers
(``self.project_id`` etc.), never through globals or thread-locals.
"""
from nameko.contextdata import ContextDataProvider

PROJECT_ID = "project_id"
USER_ID = "user_id"
ROLES = "roles"
IS_ADMIN = "is_admin"
REQUEST_ID = "request_id"

CONTEXT_KEYS = (PROJECT_ID, USER_ID, ROLES, IS_ADMIN, REQUEST_ID)
DEFAULT_PROJECT = "default"


class ProjectId(ContextDataProvider):
    """The caller's project; internal callers that send none act for project ``default``."""

    context_key = PROJECT_ID

    def get_dependency(self, worker_ctx):
        return worker_ctx.context_data.get(self.context_key) or DEFAULT_PROJECT


class UserId(ContextDataProvider):
    context_key = USER_ID


class IsAdmin(ContextDataProvider):
    context_key = IS_ADMIN


class RequestId(ContextDataProvider):
    context_key = REQUEST_ID


def tenancy(project_id=DEFAULT_PROJECT, user_id=None, roles=(), is_admin=False, request_id=None):
    """The context data dict a caller attaches to an RPC call or an event."""
    return {
        PROJECT_ID: project_id,
        USER_ID: user_id,
        ROLES: list(roles),
        IS_ADMIN: bool(is_admin),
        REQUEST_ID: request_id,
    }
