"""Who a request acts as: a Keystone identity, or the embedded default without Keystone.

With Keystone, keystonemiddleware's ``auth_token`` does the work (its token validation, its
in-process token cache, its ``[keystone_authtoken]`` options): it is a WSGI middleware, so it
runs on a synthetic WSGI request in a thread pool, and the identity headers it adds become
the request's tenancy; a token it has confirmed is remembered (``confirmed_tokens``), so that
the next request with it costs a dictionary lookup on the event loop instead. It decides at
once (no ``delay_auth_decision``, which would make an unreachable Keystone look like a bad
token): its 401 and 503 tell the two apart. Without Keystone
(``[pecan] auth_enable`` off) every request acts as project ``default`` with admin rights,
as Qinling did.
"""
import asyncio
import io
import logging
import re
from concurrent.futures import ThreadPoolExecutor

from qinling_api.confirmed_tokens import ConfirmedTokens
from qinling_shared import config
from qinling_shared.context import tenancy
from qinling_shared.exceptions import Unauthorized, Unavailable

LOG = logging.getLogger(__name__)
# Qinling's AuthHook let through "/", "/v1/" and webhook invokes; so do the health check,
# the metrics and the API's own description, which say nothing about any project
EXEMPT = re.compile(r"^/(v1/?)?$|^/healthz$|^/metrics$|^/v1/(openapi\.json|api-ref)$"
                    r"|^/v1/webhooks/[^/]+/invoke$")
CONFIRMED = "Confirmed"
# the environ keys auth_token sets from the validated token (and clears on a bad one)
IDENTITY_KEYS = {"HTTP_X_IDENTITY_STATUS": "status", "HTTP_X_PROJECT_ID": "project_id",
                 "HTTP_X_USER_ID": "user_id", "HTTP_X_ROLES": "roles"}
TOKEN_AUTH = "keystone.token_auth"   # auth_token's plugin of the validated token (its .user)


def from_conf(conf, workers=8):
    """The identity source the gateway's ``[pecan]`` and ``[keystone_authtoken]`` ask for."""
    if config.keystone_settings(conf) is None:
        LOG.warning("Keystone authentication is off ([pecan] auth_enable): every request "
                    "acts as project 'default' with admin rights")
        return NoKeystone()
    return Keystone(conf, workers)


class NoKeystone:
    """The embedded default: one project, admin rights, nothing to check."""

    enabled = False

    async def tenancy(self, request, request_id):
        return tenancy(is_admin=True, roles=("admin",), request_id=request_id)

    def close(self):
        pass


class Keystone:
    """Tokens validated by keystonemiddleware (``[keystone_authtoken]`` of ``conf``)."""

    enabled = True

    def __init__(self, conf, workers=8):
        from keystonemiddleware import auth_token
        self._middleware = auth_token.AuthProtocol(
            _identity_app, {"oslo_config_config": conf, "delay_auth_decision": "false"})
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="keystone-auth")
        self._confirmed = ConfirmedTokens(conf[config.KEYSTONE_GROUP].token_cache_time)

    async def tenancy(self, request, request_id):
        """The context data of the request's ``X-Auth-Token``; ``Unauthorized`` (401, with
        Qinling's message) without a valid one, unless the path is exempt (the default
        project, without admin rights)."""
        if EXEMPT.match(request.path):
            return tenancy(request_id=request_id)
        token = request.headers.get("X-Auth-Token")
        if not token:
            raise Unauthorized("Failed to validate access token: Authentication required")
        identity = self._confirmed.get(token)
        if identity is None:
            identity = await asyncio.get_running_loop().run_in_executor(
                self._pool, self.validate, token)
            if identity is None:
                raise Unavailable("Keystone is unavailable: the token could not be validated.")
            if identity.get("status") != CONFIRMED or not identity.get("project_id"):
                raise Unauthorized("Failed to validate access token: Auth token is invalid")
            self._confirmed.put(token, identity, identity.get("expires"))
        return tenancy(project_id=identity["project_id"], user_id=identity.get("user_id"),
                       roles=[r for r in identity.get("roles", "").split(",") if r],
                       request_id=request_id, auth_token=token)

    def validate(self, token):
        """auth_token's verdict on ``token``: ``{"status", "project_id", "user_id",
        "roles"}`` and, confirmed, ``"expires"`` (the token's expiry, a POSIX time), or
        ``None`` when it could not ask Keystone (blocking: a token in auth_token's cache takes
        0.2 to 0.4 ms of CPU, a new one a round trip to Keystone)."""
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "qinling",
                   "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
                   "wsgi.errors": io.StringIO(), "HTTP_X_AUTH_TOKEN": token}
        statuses = []
        b"".join(self._middleware(environ, lambda status, *_: statuses.append(status)))
        if "qinling.identity" in environ:
            return environ["qinling.identity"]
        return None if statuses and statuses[0].startswith("503") else {"status": "Invalid"}

    def close(self):
        self._pool.shutdown(wait=False, cancel_futures=True)


def _identity_app(environ, start_response):
    """The WSGI app behind auth_token: keeps the identity headers it set, and the token's
    expiry."""
    identity = {name: environ[key] for key, name in IDENTITY_KEYS.items() if key in environ}
    user = getattr(environ.get(TOKEN_AUTH), "user", None)
    if identity.get("status") == CONFIRMED and getattr(user, "expires", None) is not None:
        identity["expires"] = user.expires.timestamp()
    environ["qinling.identity"] = identity
    start_response("200 OK", [])
    return [b""]

