"""The Python 3 runtime server, run for real as a process (the worker contract)."""
import concurrent.futures
import hashlib
import json
import os
import socket
import subprocess
import sys
import time

import pytest
from worker_harness import PYTHON3_SERVER, RunningWorker, make_zip

TIMEOUT = "Function execution timeout."
RESOURCE = "Function execution failed because of too much resource consumption"


def gone(pid, timeout=3.0):
    """True once ``pid`` no longer runs (absent, or a zombie waiting for init)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rpartition(")")[2].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.01)
    return False


def test_ping_answers_pong(worker):
    status, headers, body = worker.request("GET", "/ping")
    assert (status, body) == (200, b"pong")
    assert headers["Content-Length"] == "4"


def test_hello_world(worker, functions_package):
    result = worker.execute(functions_package, "hello.main", execution_id="exec-hello")
    assert result["success"] is True
    assert result["output"] == "Hello, World"
    assert 0 < result["duration"] < 5
    assert result["logs"] == (
        "Start execution: exec-hello\nHello, World\nFinished execution: exec-hello\n")


def test_object_input_gives_keyword_arguments(worker, functions_package):
    result = worker.execute(functions_package, "echo.arguments", {"name": "Qinling", "n": 2})
    assert result["output"] == {"args": [], "kwargs": {"name": "Qinling", "n": 2}}


def test_function_input_key_gives_one_positional_argument(worker, functions_package):
    result = worker.execute(functions_package, "echo.arguments", {"__function_input": "raw text"})
    assert result["output"] == {"args": ["raw text"], "kwargs": {}}


@pytest.mark.parametrize("fn_input", ["plain", 6, [1, "two"]])
def test_other_input_is_one_positional_argument(worker, functions_package, fn_input):
    result = worker.execute(functions_package, "echo.arguments", fn_input)
    assert result["output"] == {"args": [fn_input], "kwargs": {}}


def test_null_input_gives_no_argument(worker, functions_package):
    result = worker.execute(functions_package, "echo.arguments", None)
    assert result["output"] == {"args": [], "kwargs": {}}


def test_entry_may_name_a_dotted_module(worker, functions_package):
    assert worker.execute(functions_package, "pkg.sub.mod.func")["output"] == "dotted"


def test_default_entry_is_main_main(worker, package_server):
    package = package_server.add("main.zip", {"main.py": "def main():\n    return 'default'\n"})
    url, sha256 = package
    body = {"execution_id": "e", "input": None, "package_url": url, "package_sha256": sha256}
    status, _, data = worker.request("POST", "/execute", json.dumps(body))
    assert (status, json.loads(data)["output"]) == (200, "default")


@pytest.mark.parametrize("entry, message", [
    ("nosuchmodule.main", "No module named 'nosuchmodule'"),
    ("hello.nosuchfunction", "Module 'hello' has no function 'nosuchfunction'."),
    ("hello", "Invalid entry 'hello': expected 'module.function'."),
])
def test_a_bad_entry_fails_the_execution(worker, functions_package, entry, message):
    result = worker.execute(functions_package, entry)
    assert result["success"] is False
    assert result["output"] == message


def test_an_exception_gives_its_message_and_a_traceback(worker, functions_package):
    result = worker.execute(functions_package, "failing.raises", execution_id="exec-raise")
    assert result["success"] is False
    assert result["output"] == "bad input given"
    assert "Traceback (most recent call last)" in result["logs"]
    assert "ValueError: bad input given" in result["logs"]
    assert result["logs"].endswith("Finished execution: exec-raise\n")


@pytest.mark.parametrize("entry", ["failing.unserialisable", "failing.not_a_number"])
def test_a_result_json_cannot_carry_fails_clearly(worker, functions_package, entry):
    result = worker.execute(functions_package, entry)
    assert result["success"] is False
    assert result["output"].startswith("Function result is not JSON-serialisable: ")


def test_timeout_kills_the_execution_and_the_worker_goes_on(worker, functions_package):
    result = worker.execute(functions_package, "failing.sleeps", {"seconds": 30}, timeout=1)
    assert result["success"] is False
    assert result["output"] == TIMEOUT
    assert 1 <= result["duration"] < 3
    pid = int(result["logs"].split("pid ")[1].split()[0])
    assert gone(pid)
    assert worker.execute(functions_package, "hello.main")["output"] == "Hello, World"


@pytest.mark.parametrize("entry", ["failing.exits", "failing.kills_itself",
                                   "failing.out_of_memory"])
def test_a_dying_child_is_a_resource_failure(worker, functions_package, entry):
    result = worker.execute(functions_package, entry, execution_id="exec-dies")
    assert result["success"] is False
    assert result["output"] == RESOURCE
    assert "Start execution: exec-dies" in result["logs"]
    assert worker.request("GET", "/ping")[0] == 200


def test_processes_left_behind_are_killed_without_delaying_the_result(worker,
                                                                      functions_package):
    result = worker.execute(functions_package, "failing.leaves_a_process", timeout=10)
    assert result["success"] is True
    assert result["duration"] < 5
    assert gone(result["output"])


def test_a_child_that_dies_while_its_processes_hold_the_pipe_fails_at_once(worker,
                                                                         functions_package):
    result = worker.execute(functions_package, "failing.dies_leaving_a_process", timeout=10)
    assert result["output"] == RESOURCE
    assert result["duration"] < 5


def test_logs_hold_stdout_and_stderr(worker, functions_package):
    result = worker.execute(functions_package, "failing.noisy", {"size": 10})
    assert result["output"] == "done"
    assert "xxxxxxxxxx\nto stderr\n" in result["logs"]


def test_logs_are_truncated_with_a_marker(worker, functions_package):
    result = worker.execute(functions_package, "failing.noisy", {"size": 3 * 1024 * 1024},
                            execution_id="exec-noisy")
    logs = result["logs"]
    assert result["output"] == "done"
    assert len(logs) < 1024 * 1024 + 200
    assert "[logs truncated: " in logs
    assert logs.startswith("Start execution: exec-noisy\n")
    assert logs.endswith("Finished execution: exec-noisy\n")


def test_limits_apply_inside_the_execution(worker, functions_package):
    output = worker.execute(functions_package, "limits.current")["output"]
    assert output["nofile"] == [1024, 1024]
    assert output["fsize"] == [500 * 1024 * 1024] * 2


def test_a_package_is_downloaded_once(worker, package_server):
    package = package_server.add("once.zip", {"once.py": "def main():\n    return 1\n"})
    for _ in range(2):
        assert worker.execute(package, "once.main")["output"] == 1
    assert package_server.downloads["/once.zip"] == 1


def test_concurrent_requests_download_a_package_once(worker, package_server):
    files = {"together.py": "def main(n):\n    return n\n"}
    package = package_server.add("together.zip", files, delay=0.3)
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        outputs = list(pool.map(
            lambda n: worker.execute(package, "together.main", {"n": n})["output"], range(3)))
    assert outputs == [0, 1, 2]
    assert package_server.downloads["/together.zip"] == 1


def test_a_wrong_sha256_is_a_download_failure(worker, package_server):
    url, _ = package_server.add("mismatch.zip", {"m.py": "def main():\n    pass\n"})
    result = worker.execute((url, "0" * 64), "m.main")
    assert result == {
        "output": f"Failed to download function package from {url}, error: sha256 mismatch: "
                  f"expected {'0' * 64}, got {result['output'].rsplit(' ', 1)[1]}",
        "success": False, "duration": 0, "logs": ""}


def test_a_missing_package_is_a_download_failure(worker, package_server):
    url = f"{package_server.base}/absent.zip"
    result = worker.execute((url, "a" * 64), "m.main")
    assert result["success"] is False
    assert result["output"] == (f"Failed to download function package from {url}, "
                                "error: HTTP Error 404: Not Found")


def test_a_package_that_is_not_a_zip_is_a_download_failure(worker, package_server):
    package = package_server.add_bytes("notzip.zip", b"plain text")
    result = worker.execute(package, "m.main")
    assert result["output"].endswith("error: File is not a zip file")


@pytest.mark.parametrize("body, message", [
    (b"{not json", "The request body is not valid JSON"),
    (b"[1, 2]", "The request body must be a JSON object."),
    (b'{"input": 1}', "'execution_id' is required."),
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


def test_server_can_bind_a_port_for_manual_runs(tmp_path):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    process = subprocess.Popen([sys.executable, "-I", str(PYTHON3_SERVER),
                                "--port", str(port), "--cache-dir", str(tmp_path)])
    try:
        RunningWorker(process, port).wait_ready()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_package_cache_holds_unpacked_code_by_sha256(tmp_path, package_server):
    running = RunningWorker.start(tmp_path)
    try:
        package = package_server.add("cached.zip", {"c.py": "def main():\n    return 2\n"})
        assert running.execute(package, "c.main")["output"] == 2
        assert sorted(os.listdir(tmp_path)) == [package[1]]
        assert "c.py" in os.listdir(tmp_path / package[1])
    finally:
        running.close()


def test_a_package_known_only_by_md5_is_verified_and_cached_by_md5(tmp_path, package_server):
    running = RunningWorker.start(tmp_path)
    try:
        data = make_zip({"s.py": "def main():\n    return 'from swift'\n"})
        url, _ = package_server.add_bytes("swift-object.zip", data)
        md5 = hashlib.md5(data).hexdigest()
        for _ in range(2):
            result = running.execute((url, None), "s.main", package_md5=md5)
            assert result["output"] == "from swift"
        assert package_server.downloads["/swift-object.zip"] == 1
        assert os.listdir(tmp_path) == [f"md5-{md5}"]
    finally:
        running.close()


def test_a_wrong_md5_is_a_download_failure(worker, package_server):
    url, _ = package_server.add("bad-md5.zip", {"m.py": "def main():\n    pass\n"})
    result = worker.execute((url, None), "m.main", package_md5="0" * 32)
    assert result["success"] is False
    assert result["output"].startswith(
        f"Failed to download function package from {url}, error: md5 mismatch: "
        f"expected {'0' * 32}, got ")


def test_both_digests_are_checked_when_both_are_given(worker, package_server):
    package = package_server.add("both.zip", {"b.py": "def main():\n    return 'b'\n"})
    result = worker.execute(package, "b.main", package_md5="0" * 32)
    assert "md5 mismatch" in result["output"]


def test_responses_are_not_delayed_by_nagle(worker):
    """Headers and body go out in two writes: without TCP_NODELAY each answer waits ~40 ms
    for a delayed ACK, so twenty pings would take at least 0.8 s."""
    connection = worker.connect()
    try:
        started = time.monotonic()
        for _ in range(20):
            connection.request("GET", "/ping")
            assert connection.getresponse().read() == b"pong"
        assert time.monotonic() - started < 0.4
    finally:
        connection.close()
