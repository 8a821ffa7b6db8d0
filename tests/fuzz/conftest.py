"""A live platform for the fuzzer, and a client of it."""
import pytest

from qinling_testing.api_client import ApiClient
from qinling_testing.platform import healthy_platform


@pytest.fixture(scope="module")
def platform():
    """Started and healthy, for one module (stopped before the next starts its own)."""
    with healthy_platform() as running:
        yield running


@pytest.fixture(scope="module")
def api(platform):
    with ApiClient(platform.url) as client:
        yield client
