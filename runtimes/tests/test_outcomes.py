"""The worker contract's idempotence by execution id, on every runtime server: a worker runs
an execution id once (``POST /execute`` again answers the first run's result), and
``POST /outcome`` tells what became of an execution sent to it."""
import concurrent.futures
import json
import time
import uuid

import pytest

TIMEOUT = "Function execution timeout."


def new_id():
    return f"exec-{uuid.uuid4().hex[:12]}"


def outcome(worker, execution_id, wait=None):
    body = {"execution_id": execution_id, **({} if wait is None else {"wait": wait})}
    status, _, data = worker.request("POST", "/outcome", json.dumps(body))
    return status, json.loads(data)


def test_an_execution_sent_again_is_answered_not_run_again(worker, functions_package):
    execution_id = new_id()
    first = worker.execute(functions_package, "failing.leaves_a_process",
                           execution_id=execution_id)
    assert first["success"] is True and isinstance(first["output"], int)  # a new pid per run
    assert worker.execute(functions_package, "failing.leaves_a_process",
                          execution_id=execution_id) == first
    other = worker.execute(functions_package, "failing.leaves_a_process")
    assert other["output"] != first["output"]  # another execution id runs


def test_a_finished_execution_has_its_outcome(worker, functions_package):
    execution_id = new_id()
    result = worker.execute(functions_package, "hello.main", execution_id=execution_id)
    assert outcome(worker, execution_id) == (
        200, {"execution_id": execution_id, "state": "finished", "result": result})


def test_an_unknown_execution_is_a_404(worker):
    assert outcome(worker, "never-sent", wait=0.5) == (
        404, {"error": "Execution never-sent is not known here."})


def test_a_running_execution_is_running_then_awaited(worker, functions_package):
    execution_id = new_id()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        run = pool.submit(worker.execute, functions_package, "failing.sleeps",
                          {"seconds": 30}, timeout=1.5, execution_id=execution_id)
        deadline = time.monotonic() + 10
        while outcome(worker, execution_id)[0] == 404:  # until the run has begun
            assert time.monotonic() < deadline and not run.done(), "the run never began"
            time.sleep(0.02)
        assert outcome(worker, execution_id) == (
            200, {"execution_id": execution_id, "state": "running"})
        again = pool.submit(worker.execute, functions_package, "failing.sleeps",
                            {"seconds": 30}, timeout=1.5, execution_id=execution_id)
        status, awaited = outcome(worker, execution_id, wait=30)
        result = run.result(timeout=10)
        assert again.result(timeout=10) == result  # the repeat waited for the first run
    assert result["output"] == TIMEOUT
    assert (status, awaited) == (
        200, {"execution_id": execution_id, "state": "finished", "result": result})


@pytest.mark.parametrize("body", [b"{}", b'{"execution_id": 5}', b"[]",
                                  b'{"execution_id": "e", "wait": -1}',
                                  b'{"execution_id": "e", "wait": "1"}'])
def test_a_malformed_outcome_request_is_a_400(worker, body):
    status, _, data = worker.request("POST", "/outcome", body)
    assert status == 400
    assert "error" in json.loads(data)
