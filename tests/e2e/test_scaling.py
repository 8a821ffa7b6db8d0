"""Warm pools, autoscaling and the admin scaling API, through the REST API of the whole
platform (real processes, the local orchestrator, a real etcd)."""
import concurrent.futures
import json
import re
import signal
import time

import pytest

from qinling_testing.packages import zip_package

SLEEP_SOURCE = '''\
import time


def main(**kwargs):
    time.sleep(4)
    return "slept"
'''
DEADLINE = 10.0


def workers(api, function_id, version=None):
    query = "" if version is None else f"?function_version={version}"
    response = api.get(f"/v1/functions/{function_id}/workers/{query}")
    assert response.status_code == 200, response.text
    return [w["worker_name"] for w in response.json()["workers"]]


def wait_for(check, deadline=DEADLINE):
    """Poll ``check()`` until it is truthy; return its value (the platform works meanwhile)."""
    end = time.monotonic() + deadline
    while not (value := check()):
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.1)
    return value


def run(api, function_id, **fields):
    response = api.execute(function_id, **fields)
    assert response.status_code == 201, response.text
    execution = response.json()
    assert execution["status"] == "success", execution
    return execution


def run_concurrently(api, function_id, count):
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: run(api, function_id), range(count)))


@pytest.fixture
def sleep_function_id(api, runtime_id):
    response = api.create_function(runtime_id, name="sleep",
                                   package=zip_package({"main.py": SLEEP_SOURCE}))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def pool_capacity(api, runtime_id):
    response = api.get(f"/v1/runtimes/{runtime_id}/pool")
    assert response.status_code == 200, response.text
    return response.json()["capacity"]


def test_the_runtime_keeps_a_warm_pool(api, runtime_id):
    wait_for(lambda: pool_capacity(api, runtime_id)["available"] == 2)
    capacity = pool_capacity(api, runtime_id)
    assert capacity["available"] == 2 and capacity["total"] >= 2


def test_a_cold_start_takes_a_pooled_worker(api, runtime_id, hello_function_id):
    wait_for(lambda: pool_capacity(api, runtime_id)["available"] == 2)
    run(api, hello_function_id)
    (name,) = workers(api, hello_function_id)
    assert re.fullmatch(r"w[0-9a-f]{12}", name), name  # a pool worker's name, now bound


def test_three_concurrent_executions_use_one_worker(api, sleep_function_id):
    run_concurrently(api, sleep_function_id, 3)
    assert len(workers(api, sleep_function_id)) == 1


def test_six_concurrent_executions_use_two_workers(api, sleep_function_id):
    results = run_concurrently(api, sleep_function_id, 6)
    assert all(json.loads(e["result"])["output"] == "slept" for e in results)
    assert len(workers(api, sleep_function_id)) == 2


def test_scale_up_scale_down_and_detach(api, hello_function_id):
    base = f"/v1/functions/{hello_function_id}"
    run(api, hello_function_id)
    assert len(workers(api, hello_function_id)) == 1
    assert api.post(f"{base}/scale_up", json={"count": 2}).status_code == 202
    assert len(workers(api, hello_function_id)) == 3
    assert api.post(f"{base}/scale_down", json={"count": 5}).status_code == 202
    assert len(workers(api, hello_function_id)) == 1
    assert api.post(f"{base}/detach").status_code == 202
    wait_for(lambda: workers(api, hello_function_id) == [])
    run(api, hello_function_id, input={"name": "again"})
    assert len(workers(api, hello_function_id)) == 1


def test_scaling_input_errors_are_400s(api, hello_function_id):
    base = f"/v1/functions/{hello_function_id}"
    for body in ({}, {"count": 0}, {"count": "x"}):
        response = api.post(f"{base}/scale_up", json=body)
        assert response.status_code == 400, (body, response.text)
    assert api.post("/v1/functions/nope/detach").status_code == 404


def test_version_level_detach_leaves_the_live_code_alone(api, hello_function_id):
    response = api.post(f"/v1/functions/{hello_function_id}/versions", json={})
    assert response.status_code == 201, response.text
    version = response.json()["version_number"]
    run(api, hello_function_id)
    run(api, hello_function_id, function_version=version)
    assert len(workers(api, hello_function_id, version)) == 1
    path = f"/v1/functions/{hello_function_id}/versions/{version}"
    assert api.post(f"{path}/scale_up", json={"count": 1}).status_code == 202
    assert len(workers(api, hello_function_id, version)) == 2
    assert api.post(f"{path}/detach").status_code == 202
    wait_for(lambda: workers(api, hello_function_id, version) == [])
    assert len(workers(api, hello_function_id)) == 1


def test_a_killed_execution_service_restarts_without_stale_workers(platform, api,
                                                                    hello_function_id):
    run(api, hello_function_id)
    assert len(workers(api, hello_function_id)) == 1
    platform.kill("execution", signal.SIGKILL)  # its workers die with it
    platform.start("execution")
    platform.wait_healthy(60)
    assert workers(api, hello_function_id) == []  # its keys were reaped at start
    run(api, hello_function_id)
    assert len(workers(api, hello_function_id)) == 1
