"""WorkerClient against the real runtime server and against workers that misbehave."""
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import eventlet
import pytest
from fakes import FakeWorkerClient

from qinling_execution.worker_client import WorkerClient


@pytest.fixture
def client():
    client = WorkerClient(margin=0.5, connect_timeout=1.0)
    yield client
    client.close()


@pytest.fixture
def odd_worker():
    """A server that answers /execute with whatever ``answers[path]`` says."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            status, data = self.server.answer
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def payload(package, entry="hello.main", fn_input=None, timeout=5):
    url, sha256 = package
    return {"execution_id": f"e-{uuid.uuid4().hex[:12]}", "function_id": "f", "function_version": 0,
            "entry": entry, "input": fn_input, "timeout": timeout, "cpu": 100,
            "memory_size": 33554432, "package_url": url, "package_sha256": sha256}


def test_execute_returns_the_workers_result(client, worker, functions_package):
    sent = payload(functions_package, fn_input={"name": "Q"})
    result = client.execute(worker.url, sent)
    assert result["output"] == "Hello, Q"
    assert result["success"] is True
    assert f"Finished execution: {sent['execution_id']}" in result["logs"]


def local_ports(client, url):
    """Local ports of the connected sockets in the client's pool for ``url``."""
    connections = [c for idle in client._connections.idle.values() for c in idle]
    return {c.sock.getsockname()[1] for c in connections}


def test_execute_reuses_one_connection(client, worker, functions_package):
    ports = []
    for _ in range(3):
        assert client.execute(worker.url, payload(functions_package))["success"] is True
        ports.append(local_ports(client, worker.url))
    assert len(ports[0]) == 1 and ports[0] == ports[1] == ports[2]


def test_a_function_timeout_comes_back_from_the_worker(client, worker, functions_package):
    result = client.execute(worker.url, payload(functions_package, "failing.sleeps",
                                                {"seconds": 30}, timeout=1))
    assert (result["output"], result["success"]) == ("Function execution timeout.", False)


def closed_port_url():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"


def test_an_unreachable_worker_fails_the_execution(client, functions_package):
    url = closed_port_url()
    result = client.execute(url, payload(functions_package))
    assert (result["output"], result["success"]) == ("Function execution failed.", False)
    assert result["logs"].startswith(f"The worker at {url} could not be reached: ")
    assert result["platform_failure"] is True and result["unreached"] is True


@pytest.fixture
def silent_url():
    """A worker URL whose listener takes connections into its backlog and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_an_explicit_timeout_overrides_the_payloads(client, functions_package, silent_url):
    result = client.execute(silent_url, payload(functions_package, timeout=30), 0.1)
    assert result["output"] == "Function execution timeout."
    assert result["duration"] < 3


def test_a_silent_worker_is_a_timeout(client, functions_package, silent_url):
    result = client.execute(silent_url, payload(functions_package, timeout=0.2))
    assert (result["output"], result["success"]) == ("Function execution timeout.", False)
    assert 0.6 <= result["duration"] < 3


@pytest.mark.parametrize("answer, reason", [
    ((200, b"not json"), "The worker answered something that is not JSON: 'not json'"),
    ((200, b'{"unexpected": 1}'), 'The worker answered HTTP 200: \'{"unexpected": 1}\''),
    ((500, b'{"error": "boom"}'), 'The worker answered HTTP 500: \'{"error": "boom"}\''),
])
def test_an_answer_that_is_not_a_result_fails_the_execution(client, odd_worker,
                                                            functions_package, answer, reason):
    odd_worker.answer = answer
    url = f"http://127.0.0.1:{odd_worker.server_address[1]}"
    result = client.execute(url, payload(functions_package))
    assert (result["output"], result["success"], result["logs"]) == (
        "Function execution failed.", False, reason)


def test_fake_worker_client_echoes_and_records():
    fake = FakeWorkerClient()
    result = fake.execute("http://fake-worker/w", {"execution_id": "e", "input": {"a": 1}})
    assert result["output"] == {"a": 1} and result["success"] is True
    assert "Start execution: e" in result["logs"]
    assert fake.calls == [("http://fake-worker/w", {"execution_id": "e", "input": {"a": 1}})]


def test_fake_worker_client_can_play_a_dead_worker():
    fake = FakeWorkerClient(respond=lambda url, body: {"output": 1, "success": True})
    fake.unreachable.add("http://fake-worker/dead")
    assert fake.execute("http://fake-worker/dead", {})["output"] == "Function execution failed."
    assert fake.execute("http://fake-worker/live", {})["output"] == 1


def test_an_unreachable_worker_is_a_platform_failure(client, functions_package):
    result = client.execute(closed_port_url(), payload(functions_package))
    assert result["platform_failure"] is True


def test_a_function_that_failed_or_timed_out_is_no_platform_failure(client, worker,
                                                                    functions_package):
    failed = client.execute(worker.url, payload(functions_package, "failing.raises"))
    timed_out = client.execute(worker.url, payload(functions_package, "failing.sleeps",
                                                   {"seconds": 30}, timeout=1))
    assert failed["success"] is False and "platform_failure" not in failed
    assert timed_out["success"] is False and "platform_failure" not in timed_out


def test_an_answer_that_is_not_a_result_is_a_platform_failure(client, odd_worker,
                                                              functions_package):
    odd_worker.answer = (500, b'{"error": "fork failed"}')
    url = f"http://127.0.0.1:{odd_worker.server_address[1]}"
    assert client.execute(url, payload(functions_package))["platform_failure"] is True


def test_cancel_stops_a_run_on_the_worker(client, worker, functions_package):
    body = {**payload(functions_package, "failing.sleeps", {"seconds": 30}, timeout=60),
            "execution_id": "e-cancel"}
    run = eventlet.spawn(client.execute, worker.url, body)
    deadline = eventlet.hubs.get_hub().clock() + 10
    while not client.cancel(worker.url, "e-cancel"):
        assert eventlet.hubs.get_hub().clock() < deadline
        eventlet.sleep(0.02)
    result = run.wait()
    assert (result["output"], result["success"]) == ("Function execution cancelled.", False)
    assert client.cancel(worker.url, "e-cancel") is False
    assert client.cancel(closed_port_url(), "e-cancel") is False


def test_outcome_of_a_run_the_worker_finished_is_its_kept_result(client, worker,
                                                                  functions_package):
    sent = payload(functions_package, fn_input={"name": "Q"})
    result = client.execute(worker.url, sent)
    assert client.outcome(worker.url, sent["execution_id"]) == ("finished", result)


def test_outcome_of_a_run_in_progress_is_awaited(client, worker, functions_package):
    sent = payload(functions_package, "failing.sleeps", {"seconds": 30}, timeout=1)
    running = eventlet.spawn(client.execute, worker.url, sent)
    deadline = time.monotonic() + 10
    while client.outcome(worker.url, sent["execution_id"]) == (None, None):
        assert time.monotonic() < deadline, "the run never began"
        eventlet.sleep(0.02)
    state, result = client.outcome(worker.url, sent["execution_id"], wait=10)
    assert (state, result) == ("finished", running.wait())
    assert result["output"] == "Function execution timeout."


def test_outcome_of_an_unknown_run_or_a_gone_worker_is_nothing(client, worker):
    assert client.outcome(worker.url, "never-sent") == (None, None)
    assert client.outcome(closed_port_url(), "never-sent") == (None, None)


def test_fake_worker_client_keeps_results_like_a_worker():
    fake = FakeWorkerClient(respond=lambda url, body: {"output": 1, "success": True})
    fake.execute("http://fake-worker/w", {"execution_id": "e"})
    fake.running[("http://fake-worker/w", "e")] = 1
    assert fake.outcome("http://fake-worker/w", "e") == ("running", None)
    assert fake.outcome("http://fake-worker/w", "e") == ("finished", {"output": 1,
                                                                      "success": True})
    assert fake.outcome("http://fake-worker/other", "e") == (None, None)
