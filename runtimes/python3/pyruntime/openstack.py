"""The OpenStack session a function gets as ``context['os_session']`` (Qinling's name).

The execution service hands each run a token scoped to the execution's project (the caller's,
or one of the trust of the job, event trigger or function that started it), Keystone's URL
and the region; never a password. The session authenticates with that token: its data
(user, project, roles, catalog) comes with it (a trust's token) or is read from Keystone on
first use (a caller's token may read itself), so endpoint lookups work:
``session.get("/v2.1/servers", endpoint_filter={"service_type": "compute"})``.

keystoneauth1 is not on the runtime's path (it runs without site-packages): it is loaded
from ``LIBRARIES`` (the folder the execution service binds, ``--openstack-path``) when a run
first uses its session (``LazySession``: about 0.2 s), and the server then loads it too
(``used`` tells it), so that the next runs of that function, forked from the server, have it
already. A function that never uses its session never loads it: a worker that holds
keystoneauth1 forks about a millisecond slower. This module itself needs only the standard
library.
"""
import sys

LIBRARIES = None   # where keystoneauth1 is (set by the server: --openstack-path)
_PLUGIN = []   # (the auth plugin maker, keystoneauth1's Session), once it is loaded
_USED = []     # this process made a session


def load(path=None):
    """Import keystoneauth1 from ``path`` (default ``LIBRARIES``; on ``sys.path`` only
    meanwhile); the modules stay loaded. ``ImportError`` when it is not there."""
    if _PLUGIN:
        return
    path = path or LIBRARIES
    saved = list(sys.path)
    if path:
        sys.path.append(path)
    try:
        from keystoneauth1 import access
        from keystoneauth1 import session as ks_session
        from keystoneauth1.identity import access as given_access
        from keystoneauth1.identity import base
    finally:
        sys.path[:] = saved

    class TokenAccess(base.BaseIdentityPlugin):
        """Authenticates with a given token: its data (user, project, roles, catalog) is
        what Keystone says of it; it is never renewed."""

        def __init__(self, auth_url, token):
            super().__init__(auth_url=v3_url(auth_url), reauthenticate=False)
            self._token = token

        def get_auth_ref(self, session, **kwargs):
            response = session.get(f"{self.auth_url}/auth/tokens", authenticated=False,
                                   headers={"X-Auth-Token": self._token,
                                            "X-Subject-Token": self._token})
            return access.create(resp=response)

    def plugin(openstack):
        if openstack.get("token_data"):
            return given_access.AccessInfoPlugin(
                access.create(body=openstack["token_data"], auth_token=openstack["token"]),
                auth_url=v3_url(openstack["auth_url"]))
        return TokenAccess(openstack["auth_url"], openstack["token"])

    _PLUGIN.append((plugin, ks_session.Session))


def v3_url(auth_url):
    url = auth_url.rstrip("/")
    return url if url.endswith("/v3") else url + "/v3"


def session_of(openstack):
    """A keystoneauth1 ``Session`` for the run's ``openstack`` access (keystoneauth1 loaded
    now if it is not yet)."""
    load()
    _USED.append(True)
    plugin, session = _PLUGIN[0]
    return session(auth=plugin(openstack))


def used():
    """Whether this process made a session (the run's result tells the server)."""
    return bool(_USED)


class LazySession:
    """The run's keystoneauth1 ``Session``, made on first use: every attribute is the
    session's (``session.get(...)``, ``swiftclient.Connection(session=...)``)."""

    def __init__(self, openstack):
        self._openstack = openstack
        self._session = None

    def __getattr__(self, name):
        if self._session is None:
            self._session = session_of(self._openstack)
        return getattr(self._session, name)


def context_of(openstack):
    """A function's ``context``: ``{"os_session", "region_name"}`` (``None`` values without
    OpenStack access)."""
    return {"os_session": LazySession(openstack) if openstack else None,
            "region_name": (openstack or {}).get("region_name")}
