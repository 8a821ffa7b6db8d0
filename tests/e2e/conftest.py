"""The whole platform as real processes, once per session, and a client bound to it."""
import pytest

from qinling_testing.api_client import ApiClient
from qinling_testing.cli import Cli
from qinling_testing.container_images import args_image  # noqa: F401 - a fixture
from qinling_testing.docker_engine import docker_engine  # noqa: F401 - a fixture
from qinling_testing.platform import healthy_platform


@pytest.fixture(scope="session")
def platform():
    """Started and healthy; logs under ``platform.dir / "logs"`` (QINLING_KEEP_PLATFORM=1 keeps them)."""
    with healthy_platform() as running:
        yield running


@pytest.fixture
def api(platform):
    with ApiClient(platform.url) as client:
        yield client


@pytest.fixture(scope="session")
def runtime_id(platform):
    """A ``python3`` runtime, available."""
    with ApiClient(platform.url) as client:
        response = client.create_runtime()
        assert response.status_code == 201, response.text
        runtime = response.json()
        client.wait_for_status(f"/v1/runtimes/{runtime['id']}", {"available"})
    return runtime["id"]


@pytest.fixture
def hello_function_id(api, runtime_id):
    """A fresh hello function: ``main(name="World")`` prints a line and returns ``Hello, <name>``."""
    response = api.create_function(runtime_id)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture(scope="module")
def cli(platform):
    """``qinling_testing.cli.Cli`` bound to the platform: the real ``openstack`` CLI."""
    runner = Cli(platform.url)
    yield runner
    runner.close()


# -- the platform with Keystone -------------------------------------------------------------

KEYSTONE_POLICY_FILE = "policy.json"   # as Kolla names it, beside qinling.conf


@pytest.fixture(scope="session")
def keystone_platform(keystone):
    """A second platform, with Keystone: ``[keystone_authtoken]`` as Kolla writes it (so
    authentication is on without ``[pecan] auth_enable``), Kolla's ``policy.json`` (empty:
    the defaults), and its URL in the catalog as ``function-engine``. Functions may reach
    the network (Keystone, with their ``os_session``)."""
    with healthy_platform(conf_overrides={
            "keystone_authtoken": keystone.authtoken_options(),
            "oslo_policy": {"policy_file": KEYSTONE_POLICY_FILE},
            "local": {"allow_network": "true"}},
            files={KEYSTONE_POLICY_FILE: "{}"}) as running:
        keystone.register_endpoint("function-engine", running.url, name="qinling")
        yield running


@pytest.fixture(scope="session")
def as_user(keystone, keystone_platform):
    """``as_user(name)``: an ``ApiClient`` of the Keystone platform with a token of ``name``
    (admin, alice of project-a, bob of project-b), one per user for the session."""
    clients = {}

    def client(name):
        if name not in clients:
            clients[name] = ApiClient(keystone_platform.url,
                                      headers={"X-Auth-Token": keystone.token(name)})
        return clients[name]
    yield client
    for opened in clients.values():
        opened.close()


@pytest.fixture(scope="session")
def keystone_runtime_id(as_user):
    """A public ``python3`` runtime of the Keystone platform, made by its admin."""
    response = as_user("admin").create_runtime()
    assert response.status_code == 201, response.text
    return response.json()["id"]
