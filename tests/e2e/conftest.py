"""The whole platform as real processes, once per session, and a client bound to it."""
import pytest

from qinling_testing.api_client import ApiClient
from qinling_testing.cli import Cli
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
