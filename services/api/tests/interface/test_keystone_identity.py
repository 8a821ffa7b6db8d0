"""``identity.Keystone`` against a real Keystone: auth_token's verdicts, the token's expiry,
and tokens it confirmed remembered by the gateway (``confirmed_tokens``) as long as
auth_token would keep them, and no longer."""
import configparser
import datetime

import pytest
from aiohttp.test_utils import make_mocked_request

from qinling_api import identity
from qinling_shared import config
from qinling_shared.exceptions import Unauthorized
from qinling_testing.keystone import KeystoneServer


@pytest.fixture(scope="module")
def keystone():
    with KeystoneServer() as server:
        yield server


@pytest.fixture
def gateway_identity(keystone, tmp_path):
    """``make(**options)``: the gateway's ``Keystone`` from a qinling.conf with this
    Keystone's ``[keystone_authtoken]`` and ``options`` in it."""
    made = []

    def make(**options):
        path = tmp_path / f"qinling-{len(made)}.conf"
        conf = configparser.ConfigParser(interpolation=None)
        conf.read_dict({config.KEYSTONE_GROUP: {**keystone.authtoken_options(), **options}})
        with open(path, "w") as f:
            conf.write(f)
        made.append(identity.from_conf(config.load(["--config-file", str(path)])))
        return made[-1]
    yield make
    for source in made:
        source.close()


def request_with(token):
    return make_mocked_request("GET", "/v1/functions", headers={"X-Auth-Token": token})


def test_validate_gives_the_identity_and_the_tokens_expiry(keystone, gateway_identity):
    source = gateway_identity()
    session = keystone.session("alice")
    token = session.get_token()
    found = source.validate(token)
    alice = keystone.users["alice"]
    assert (found["status"], found["project_id"], found["user_id"]) == (
        identity.CONFIRMED, alice.project_id, alice.user_id)
    assert "member" in found["roles"].split(",")
    expires = session.auth.auth_ref.expires     # of the token issued above
    assert found["expires"] == expires.timestamp()
    assert found["expires"] > datetime.datetime.now(datetime.timezone.utc).timestamp()
    assert "expires" not in source.validate("not-a-token")


async def test_a_confirmed_token_is_remembered_without_the_thread_pool(keystone,
                                                                       gateway_identity):
    source = gateway_identity()
    token = keystone.token("alice")
    first = await source.tenancy(request_with(token), "req-1")
    source.close()                     # its thread pool: nothing more runs there
    again = await source.tenancy(request_with(token), "req-2")
    assert {**first, "request_id": "req-2"} == again
    assert again["project_id"] == keystone.users["alice"].project_id
    with pytest.raises(RuntimeError, match="shutdown"):   # an unknown token needs the pool
        await source.tenancy(request_with(keystone.token("bob")), "req-3")


async def test_a_bad_token_is_refused_every_time(keystone, gateway_identity):
    source = gateway_identity()
    for _ in range(2):
        with pytest.raises(Unauthorized, match="Auth token is invalid"):
            await source.tenancy(request_with("not-a-token"), "req-1")


async def test_a_revoked_token_is_accepted_while_auth_token_would_keep_it(keystone,
                                                                          gateway_identity):
    """As auth_token alone: a confirmed token lives on for ``token_cache_time``."""
    source = gateway_identity()
    token = keystone.token("bob")
    await source.tenancy(request_with(token), "req-1")
    keystone.revoke(token)
    context = await source.tenancy(request_with(token), "req-2")
    assert context["project_id"] == keystone.users["bob"].project_id


async def test_with_auth_tokens_cache_off_a_revoked_token_is_refused_at_once(keystone,
                                                                            gateway_identity):
    source = gateway_identity(token_cache_time=-1)
    token = keystone.token("bob")
    context = await source.tenancy(request_with(token), "req-1")
    assert context["project_id"] == keystone.users["bob"].project_id
    keystone.revoke(token)
    with pytest.raises(Unauthorized, match="Auth token is invalid"):
        await source.tenancy(request_with(token), "req-2")
