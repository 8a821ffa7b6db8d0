"""A dead service makes the gateway answer 503 with a clear message, not hang."""
import signal

import pytest
import requests

from qinling_testing.platform import Platform


@pytest.fixture(scope="module")
def fragile_platform():
    with Platform() as platform:
        platform.wait_healthy(90)
        yield platform


def test_killed_execution_service_gives_503(fragile_platform):
    url = fragile_platform.url
    fragile_platform.kill("execution", signal.SIGKILL)
    resp = requests.post(f"{url}/v1/executions", json={"function_id": "anything"}, timeout=30)
    assert resp.status_code == 503
    assert "execution" in resp.json()["faultstring"]
    health = requests.get(f"{url}/healthz", timeout=30)
    assert health.status_code == 503
    assert health.json()["checks"]["execution"]["status"] != "ok"
    assert health.json()["checks"]["function"]["status"] == "ok"


def test_service_answers_again_after_restart(fragile_platform):
    fragile_platform.start("execution")
    fragile_platform.wait_healthy(60)
    resp = requests.get(f"{fragile_platform.url}/v1/runtimes", timeout=30)
    assert resp.status_code == 200
