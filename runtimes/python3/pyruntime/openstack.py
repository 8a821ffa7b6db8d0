"""The OpenStack session a function gets as ``context['os_session']`` (Qinling's name).

The execution service hands each run a token scoped to the execution's project (the caller's,
or one of the trust of the job, event trigger or function that started it), Keystone's URL
and the region; never a password. The session authenticates with that token: its data
(user, project, roles, catalog) comes with it (a trust's token) or is read from Keystone on
first use (a caller's token may read itself), so endpoint lookups work:
``session.get("/v2.1/servers", endpoint_filter={"service_type": "compute"})``.

keystoneauth1 is not on the runtime's path (it runs without site-packages): the server
``load``\\ s it from the folder the execution service names before it forks a run, so the run
pays no import. This module itself needs only the standard library.
"""
import sys

_PLUGIN = []   # (the auth plugin maker, keystoneauth1's Session), once it is loaded


def load(path):
    """Import keystoneauth1 from ``path`` (added to ``sys.path`` only meanwhile); the
    modules stay loaded. ``ImportError`` when it is not there."""
    if _PLUGIN:
        return
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
    """A keystoneauth1 ``Session`` for the run's ``openstack`` access (``load`` first), or
    ``None`` without access or without keystoneauth1."""
    if not openstack or not _PLUGIN:
        return None
    plugin, session = _PLUGIN[0]
    return session(auth=plugin(openstack))


def context_of(openstack):
    """A function's ``context``: ``{"os_session", "region_name"}``."""
    return {"os_session": session_of(openstack),
            "region_name": (openstack or {}).get("region_name")}
