"""The worker contract's HTTP side, on every runtime server: ``GET /ping``, malformed requests,
keep-alive, ``POST /cancel``, and the two ways a worker listens."""
import concurrent.futures
import json
import time

import pytest

from qinling_testing.runtime_servers import RuntimeServerProcess

CANCELLED = "Function execution cancelled."


def test_ping_answers_pong(worker):
    status, headers, body = worker.request("GET", "/ping")
    assert (status, body) == (200, b"pong")
    assert headers["Content-Length"] == "4"


@pytest.mark.parametrize("body, message", [
    (b"{not json", "The request body is not valid JSON"),
    (b"[1, 2]", "The request body must be a JSON object."),
    (b'{"input": 1}', "'execution_id' is required."),
    (b'{"execution_id": "e"}', "'package_url' is required."),
    (json.dumps({"execution_id": "e", "timeout": "5", "package_url": "http://x/p",
                 "package_sha256": "a" * 64}).encode(), "'timeout' must be a positive number"),
    (json.dumps({"execution_id": "e", "package_url": "file:///etc/passwd",
                 "package_sha256": "a" * 64}).encode(), "'package_url' must be an http"),
    (json.dumps({"execution_id": "e", "package_url": "http://x/p",
                 "package_sha256": "../../etc"}).encode(), "'package_sha256' must be 64"),
])
def test_a_malformed_request_is_a_400_with_a_json_error(worker, body, message):
    status, headers, data = worker.request("POST", "/execute", body)
    assert status == 400
    assert headers["Content-Type"] == "application/json"
    assert json.loads(data)["error"].startswith(message)


def test_an_unknown_path_is_a_404(worker):
    assert worker.request("GET", "/nothing")[0] == 404
    assert worker.request("POST", "/nothing", b"{}")[0] == 404


def test_keep_alive_serves_two_requests_on_one_connection(worker, functions_package):
    url, sha256 = functions_package
    body = json.dumps({"execution_id": "e", "entry": "hello.main", "package_url": url,
                       "package_sha256": sha256})
    connection = worker.connect()
    try:
        connection.request("GET", "/ping")
        assert connection.getresponse().read() == b"pong"
        first_socket = connection.sock
        connection.request("POST", "/execute", body=body)
        response = connection.getresponse()
        assert json.loads(response.read())["output"] == "Hello, World"
        assert connection.sock is first_socket and not response.will_close
    finally:
        connection.close()


def test_responses_are_not_delayed_by_nagle(worker):
    """Headers and body may go out in two writes: without TCP_NODELAY each answer waits
    ~40 ms for a delayed ACK, so twenty pings would take at least 0.8 s."""
    connection = worker.connect()
    try:
        started = time.monotonic()
        for _ in range(20):
            connection.request("GET", "/ping")
            assert connection.getresponse().read() == b"pong"
        assert time.monotonic() - started < 0.4
    finally:
        connection.close()


def test_a_worker_can_bind_a_port_for_manual_runs(runtime, tmp_path):
    RuntimeServerProcess.start_on_port(runtime, tmp_path).close()


def test_a_running_execution_is_killed_at_once(worker, functions_package):
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        run = pool.submit(worker.execute, functions_package, "failing.sleeps",
                          {"seconds": 30}, timeout=60, execution_id="exec-cancel")
        deadline = time.monotonic() + 10
        while worker.cancel("exec-cancel")[0] != 200:  # 404 until the run has begun
            assert time.monotonic() < deadline and not run.done(), "the run never began"
            time.sleep(0.02)
        result = run.result(timeout=10)
    assert (result["output"], result["success"]) == (CANCELLED, False)
    assert result["duration"] < 10
    assert worker.cancel("exec-cancel") == (
        404, {"error": "Execution exec-cancel does not run here."})
    assert worker.execute(functions_package, "hello.main")["output"] == "Hello, World"


def test_cancelling_what_does_not_run_is_a_404(worker):
    assert worker.cancel("nothing") == (404, {"error": "Execution nothing does not run here."})


@pytest.mark.parametrize("body", [b"{}", b'{"execution_id": 5}', b"[]"])
def test_a_malformed_cancel_is_a_400(worker, body):
    status, _, data = worker.request("POST", "/cancel", body)
    assert status == 400
    assert json.loads(data) == {"error": "'execution_id' is required and must be a string."}
