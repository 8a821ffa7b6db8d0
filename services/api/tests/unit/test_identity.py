"""Who a request acts as: the switch, the paths without a token, the embedded default."""
import socket
from types import SimpleNamespace

import pytest

from qinling_api import identity
from qinling_shared import config
from qinling_shared.exceptions import Unauthorized, Unavailable


@pytest.mark.parametrize("auth_enable, uri, enabled", [
    (None, None, False),                     # make run: no Keystone
    (None, "http://keystone:5000", True),    # Kolla's qinling.conf names Keystone
    (False, "http://keystone:5000", False),  # [pecan] auth_enable wins either way
    (True, None, True),
])
def test_keystone_is_on_when_asked_or_when_it_is_configured(auth_enable, uri, enabled):
    assert config.auth_enabled(auth_enable, uri) is enabled


def test_the_switch_is_read_from_qinling_conf(tmp_path):
    path = tmp_path / "qinling.conf"
    path.write_text("[keystone_authtoken]\nauth_url = http://ks:5000/v3\n"
                    "[pecan]\nauth_enable = false\n")
    conf = config.load(["--config-file", str(path)])
    assert isinstance(identity.from_conf(conf), identity.NoKeystone)
    conf = config.load([])
    assert isinstance(identity.from_conf(conf), identity.NoKeystone)


@pytest.mark.parametrize("path", ["/", "/v1", "/v1/", "/healthz", "/metrics",
                                  "/v1/openapi.json", "/v1/api-ref",
                                  "/v1/webhooks/0f3c2a1e-7d4b-4c55-9a43-5a1b2c3d4e5f/invoke"])
def test_paths_that_need_no_token(path):
    assert identity.EXEMPT.match(path)


@pytest.mark.parametrize("path", ["/v1/functions", "/v1/webhooks", "/v1/webhooks/w1",
                                  "/v1/webhooks/w1/invoke/x", "/v1/runtimes/", "/healthz/x",
                                  "/v1/executions/e1/log", "//v1/"])
def test_every_other_path_needs_one(path):
    assert not identity.EXEMPT.match(path)


async def test_without_keystone_every_request_is_an_admin_of_project_default():
    context = await identity.NoKeystone().tenancy(None, "req-1")
    assert context["project_id"] == "default" and context["is_admin"]
    assert context["request_id"] == "req-1"


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_keystone_that_does_not_answer_is_503_not_a_bad_token(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/v3"
    path = tmp_path / "qinling.conf"
    path.write_text(f"[keystone_authtoken]\nwww_authenticate_uri = {url}\nauth_url = {url}\n"
                    "auth_type = password\nusername = qinling\npassword = x\n"
                    "project_name = service\nuser_domain_name = Default\n"
                    "project_domain_name = Default\nhttp_request_max_retries = 0\n")
    keystone = identity.from_conf(config.load(["--config-file", str(path)]))
    request = SimpleNamespace(path="/v1/functions", headers={"X-Auth-Token": "a-token"})
    try:
        with pytest.raises(Unavailable, match="^Keystone is unavailable"):
            await keystone.tenancy(request, "req-1")
        with pytest.raises(Unauthorized, match="Authentication required$"):
            await keystone.tenancy(SimpleNamespace(path="/v1/functions", headers={}), "req-2")
    finally:
        keystone.close()
