"""A live platform for the fuzzer, and a client of it."""
import pytest

from qinling_testing.api_client import ApiClient
from qinling_testing.platform import Platform

START_TIMEOUT = 90.0


@pytest.fixture(scope="module")
def platform():
    """Started and healthy, for one module (stopped before the next starts its own)."""
    with Platform() as running:
        running.wait_healthy(START_TIMEOUT)
        yield running


@pytest.fixture(scope="module")
def api(platform):
    client = ApiClient(platform.url)
    yield client
    client.close()
