"""Tenancy travels as nameko context data, set once by the gateway.

The gateway sends headers ``nameko.<key>``; services read them through these providers
(``qinling_nameko.providers``), never through globals or thread-locals.
"""
PROJECT_ID = "project_id"
USER_ID = "user_id"
ROLES = "roles"
IS_ADMIN = "is_admin"
REQUEST_ID = "request_id"
AUTH_TOKEN = "auth_token"   # the caller's Keystone token (with Keystone on)
TRUST_ID = "trust_id"       # the trust a job or event trigger acts through

CONTEXT_KEYS = (PROJECT_ID, USER_ID, ROLES, IS_ADMIN, REQUEST_ID, AUTH_TOKEN, TRUST_ID)
DEFAULT_PROJECT = "default"


def tenancy(project_id=DEFAULT_PROJECT, user_id=None, roles=(), is_admin=False, request_id=None,
            auth_token=None, trust_id=None):
    """The context data dict a caller attaches to an RPC call or an event."""
    return {
        PROJECT_ID: project_id,
        USER_ID: user_id,
        ROLES: list(roles),
        IS_ADMIN: bool(is_admin),
        REQUEST_ID: request_id,
        AUTH_TOKEN: auth_token,
        TRUST_ID: trust_id,
    }
