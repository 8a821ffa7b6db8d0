"""Acting later on a user's behalf, as Qinling did: Keystone trusts.

A job, an event trigger or a function (for its asynchronous executions and webhooks) keeps a
trust made when it is created: its creator is the trustor, the Qinling service user
(``[keystone_authtoken]``) the trustee, with the creator's roles on its project. A run
acting later gets a token of that trust, so it works after the creator's own token expired
or was revoked. Workers only ever see such a project-scoped token (``openstack_context``),
never the service user's password.

Container config ``KEYSTONE`` (``qinling_shared.config.keystone_settings``); absent, Keystone
is off and the provider injects ``None``.
"""
import collections
import contextlib
import logging
import threading

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from nameko.extensions import DependencyProvider

from qinling_shared.exceptions import Unavailable

LOG = logging.getLogger(__name__)
TRUST_PLUGINS = 1000   # trusts whose token (and its data) are kept


class Keystone:
    """Trusts and trust-scoped tokens, as the service user of ``settings``."""

    def __init__(self, settings, timeout=10.0):
        self.credentials = dict(settings["credentials"])
        self.public_auth_url = settings["public_auth_url"]
        self.region_name = settings.get("region_name")
        self._http = ks_session.Session(timeout=timeout)
        self._service = ks_session.Session(auth=v3.Password(**self.credentials),
                                           timeout=timeout)
        # trust id -> [its token plugin, its last token, that token's data]
        self._trusts = collections.OrderedDict()
        self._lock = threading.Lock()

    @property
    def auth_url(self):
        return self.credentials["auth_url"].rstrip("/")

    def create_trust(self, caller):
        """A trust from the user of ``caller`` (a ``providers.Caller`` with its token) to the
        service user, on the caller's project with the caller's roles; its id."""
        try:
            body = {"trust": {
                "trustor_user_id": caller.user_id,
                "trustee_user_id": self._service.get_user_id(),
                "project_id": caller.project_id, "impersonation": True,
                "roles": [{"name": role} for role in caller.roles]}}
            response = self._http.post(f"{self.auth_url}/OS-TRUST/trusts", json=body,
                                       headers={"X-Auth-Token": caller.auth_token})
        except ks_exceptions.ClientException as exc:
            raise Unavailable(f"Keystone could not make a trust: {exc}") from exc
        return response.json()["trust"]["id"]

    def delete_trust(self, trust_id, user_token=None):
        """Delete a trust (as the user of ``user_token``, its trustor, else as the service
        user); a trust already gone, or one neither may delete, is logged and left."""
        if not trust_id:
            return
        self.forget(trust_id)
        headers = {"X-Auth-Token": user_token} if user_token else {}
        try:
            (self._http if user_token else self._service).delete(
                f"{self.auth_url}/OS-TRUST/trusts/{trust_id}", headers=headers)
        except ks_exceptions.NotFound:
            pass
        except ks_exceptions.ClientException as exc:
            LOG.warning("trust %s was not deleted: %s", trust_id, exc)

    def trust_access(self, trust_id):
        """A run's OpenStack access through ``trust_id``: a token scoped to its project, and
        that token's data (a trust-scoped token may not read itself at Keystone: the
        service user reads it). Both cached until the token nears expiry."""
        with self._lock:
            entry = self._trusts.pop(trust_id, None)
            if entry is None:
                credentials = {k: v for k, v in self.credentials.items()
                               if not k.startswith("project_")}
                entry = [v3.Password(trust_id=trust_id, **credentials), None, None]
            self._trusts[trust_id] = entry
            while len(self._trusts) > TRUST_PLUGINS:
                self._trusts.popitem(last=False)
        plugin, token, data = entry
        try:
            fresh = plugin.get_token(self._http)
            if fresh != token:
                data = self._service.get(f"{self.auth_url}/auth/tokens",
                                         headers={"X-Subject-Token": fresh}).json()
                entry[1:] = fresh, data
        except ks_exceptions.ClientException as exc:
            raise Unavailable(f"Keystone gave no token of trust {trust_id}: {exc}") from exc
        return self.openstack_context(fresh, data)

    def forget(self, trust_id):
        with self._lock:
            self._trusts.pop(trust_id, None)

    def openstack_context(self, token, token_data=None):
        """What a worker gets to give its function an OpenStack session: a token, Keystone's
        URL, the region and, when known, the token's data (its catalog)."""
        context = {"token": token, "auth_url": self.public_auth_url,
                   "region_name": self.region_name}
        if token_data is not None:
            context["token_data"] = token_data
        return context


class KeystoneProvider(DependencyProvider):
    """Injects the service's ``Keystone``, or ``None`` when Keystone is off."""

    def setup(self):
        settings = self.container.config.get("KEYSTONE")
        self.keystone = Keystone(settings) if settings else None

    def get_dependency(self, worker_ctx):
        return self.keystone


def make_trust(keystone, caller):
    """The id of a new trust of ``caller`` for something that acts later; ``None`` without
    Keystone (or for a caller without a token: an internal one)."""
    if keystone is None or not caller.auth_token:
        return None
    return keystone.create_trust(caller)


def drop_trust(keystone, trust_id, caller=None):
    """Delete a trust made by ``make_trust`` (with the token of ``caller`` when it has one)."""
    if keystone is not None and trust_id:
        keystone.delete_trust(trust_id, caller.auth_token if caller is not None else None)


@contextlib.contextmanager
def dropped_on_failure(keystone, trust_id, caller):
    """Within: the writes that keep ``trust_id``; when they fail, the trust is deleted."""
    try:
        yield
    except Exception:
        drop_trust(keystone, trust_id, caller)
        raise
