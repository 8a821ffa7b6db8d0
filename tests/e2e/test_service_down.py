"""A dead service makes the gateway answer 503 with a clear message, not hang."""
import signal
import time

import pytest
import requests

from qinling_testing.platform import healthy_platform


@pytest.fixture(scope="module")
def fragile_platform():
    with healthy_platform() as platform:
        yield platform


def test_killed_execution_service_gives_503(fragile_platform):
    """Once the gateway has seen that nobody consumes the service's queue (``/healthz`` looks,
    and so does any call left waiting), a new request is refused at once and not published:
    it can never run later (issue #9, D7)."""
    url = fragile_platform.url
    fragile_platform.kill("execution", signal.SIGKILL)
    # what the gateway checks before it publishes (the execution queue's consumer may be
    # seen gone a moment earlier, and healthz names the first queue without one)
    health = wait_for_health(url, lambda checks: "no consumer on queue rpc-execution" in
                             checks["execution"].get("error", ""))
    assert health["checks"]["function"]["status"] == "ok"
    started = time.monotonic()
    resp = requests.post(f"{url}/v1/executions", json={"function_id": "anything"}, timeout=30)
    assert resp.status_code == 503
    assert resp.json()["faultstring"] == ("Service 'execution' is unavailable: no consumer on "
                                          "queue rpc-execution.")
    assert time.monotonic() - started < 2.0


def wait_for_health(url, until, deadline=30.0):
    give_up = time.monotonic() + deadline
    while True:
        health = requests.get(f"{url}/healthz", timeout=30)
        if until(health.json()["checks"]):
            assert health.status_code == 503
            return health.json()
        assert time.monotonic() < give_up, f"/healthz never changed: {health.json()}"
        time.sleep(0.1)


def test_service_answers_again_after_restart(fragile_platform):
    fragile_platform.start("execution")
    fragile_platform.wait_healthy(60)
    resp = requests.get(f"{fragile_platform.url}/v1/runtimes", timeout=30)
    assert resp.status_code == 200
