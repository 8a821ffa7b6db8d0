"""Cancelling executions, Idempotency-Key and bounded logs, through the REST API of the whole
platform (real processes, the local orchestrator)."""
import concurrent.futures
import json
import time

import pytest

from qinling_testing.packages import zip_package

SOURCE = '''\
import sys
import time


def main(seconds=0, noise=0, **kwargs):
    print("to stdout")
    print("to stderr", file=sys.stderr)
    sys.stdout.write("x" * noise)
    time.sleep(seconds)
    return "woke"
'''
DEADLINE = 30.0


@pytest.fixture(scope="module")
def function_id(platform, runtime_id):
    from qinling_testing.api_client import ApiClient
    api = ApiClient(platform.url)
    response = api.create_function(runtime_id, name="sleeper", timeout=120,
                                   package=zip_package({"main.py": SOURCE}))
    api.close()
    assert response.status_code == 201, response.text
    return response.json()["id"]


def wait_for(check, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while not (value := check()):
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.05)
    return value


def execute(api, function_id, fn_input=None, sync=True, key=None):
    """``POST /v1/executions``, with an ``Idempotency-Key`` header when ``key`` is given."""
    body = {"function_id": function_id, "sync": sync}
    if fn_input is not None:
        body["input"] = json.dumps(fn_input)
    return api.post("/v1/executions", json=body,
                    headers={"Idempotency-Key": key} if key is not None else {})


def running_ones(api, function_id):
    response = api.get("/v1/executions", params={"function_id": function_id,
                                                 "status": "running"})
    return [e["id"] for e in response.json()["executions"]]


def cancel_while_it_sleeps(api, function_id):
    """Run a sync execution that sleeps 60 s, cancel it once it is running; ``(execution id,
    the cancel's answer, the execution's own answer, seconds from the cancel to that)``."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(api.execute, function_id, {"seconds": 60})
        (execution_id,) = wait_for(lambda: running_ones(api, function_id))
        cancelled = api.post(f"/v1/executions/{execution_id}/cancel")
        asked = time.monotonic()
        answered = waiting.result(timeout=DEADLINE)
    return execution_id, cancelled, answered, time.monotonic() - asked


def test_cancel_stops_a_running_sync_execution(api, function_id):
    for _ in range(3):
        warm = api.execute(function_id, {"seconds": 0})
        assert warm.json()["status"] == "success", warm.text
        execution_id, cancelled, answered, took = cancel_while_it_sleeps(api, function_id)
        assert took < 15  # not the 60 s the function sleeps
        assert cancelled.status_code == 202, cancelled.text
        assert cancelled.json()["status"] == "cancelled"
        assert json.loads(cancelled.json()["result"])["output"] == (
            "Function execution cancelled.")
        assert answered.status_code == 201 and answered.json()["status"] == "cancelled"
        # the logs of a run killed on its worker; none when the cancel came before the run
        # reached a worker (then it never started): try again for the killed kind
        log = api.get(f"/v1/executions/{execution_id}/log").text
        if log:
            break
    assert f"Start execution: {execution_id}" in log and "Finished execution" not in log
    again = api.post(f"/v1/executions/{execution_id}/cancel")
    assert again.status_code == 409
    assert again.json() == {
        "faultstring": f"Execution {execution_id} has already ended: cancelled."}
    assert api.execute(function_id, {"seconds": 0}).json()["status"] == "success"


def test_cancel_of_an_async_execution(api, function_id):
    response = api.execute(function_id, {"seconds": 60}, sync=False)
    execution_id = response.json()["id"]
    cancelled = api.post(f"/v1/executions/{execution_id}/cancel")
    assert cancelled.status_code == 202, cancelled.text
    shown = api.get(f"/v1/executions/{execution_id}").json()
    assert shown["status"] == "cancelled"
    wait_for(lambda: execution_id not in running_ones(api, function_id))
    assert api.execute(function_id, {"seconds": 0}).json()["status"] == "success"


def test_cancel_of_an_ended_or_unknown_execution(api, function_id):
    done = api.execute(function_id, {"seconds": 0}).json()
    response = api.post(f"/v1/executions/{done['id']}/cancel")
    assert response.status_code == 409
    assert api.post("/v1/executions/nope/cancel").status_code == 404


def test_a_repeated_idempotency_key_returns_the_first_execution(api, function_id):
    key = f"order-{time.monotonic_ns()}"
    first = execute(api, function_id, {"seconds": 0}, sync=False, key=key)
    assert first.status_code == 201, first.text
    again = execute(api, function_id, {"seconds": 5}, key=key)
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert json.loads(again.json()["input"]) == {"seconds": 0}
    other = execute(api, function_id, {"seconds": 0}, key=key + "-b")
    assert other.json()["id"] != first.json()["id"]
    too_long = execute(api, function_id, key="k" * 256)
    assert too_long.status_code == 400
    assert "Idempotency-Key" in too_long.json()["faultstring"]


def test_logs_hold_stdout_and_stderr_and_are_bounded(api, function_id):
    execution = api.execute(function_id, {"noise": 3 * 1024 * 1024}).json()
    assert execution["status"] == "success", execution
    log = api.get(f"/v1/executions/{execution['id']}/log").text
    assert "to stdout\nto stderr\n" in log
    assert "[logs truncated: " in log
    assert len(log.encode()) < 1024 * 1024 + 1024
    assert log.endswith(f"Finished execution: {execution['id']}\n")
