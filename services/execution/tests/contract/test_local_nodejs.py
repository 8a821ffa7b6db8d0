"""The Node.js runtime (runtimes/nodejs) speaks the worker contract: run in the local driver's
sandbox, and standalone (``node server.js --port``, downloading packages itself)."""
import concurrent.futures
import hashlib
import http.client
import json
import shutil
import socket
import subprocess
import time

import pytest
from local_harness import execute, host_facts  # noqa: F401 - a fixture
from worker_harness import PackageServer, make_zip

from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_execution.orchestrators.local.images import SERVERS

pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")

TIMEOUT = "Function execution timeout."
RESOURCE = "Function execution failed because of too much resource consumption"
FUNCTIONS = {
    "test_nodejs_basic.js": 'exports.main = (context, input) => "Hello, NodeJS";\n',
    "echo.js": "exports.main = (context, input) => ({ context, input });\n",
    "later.js": "exports.main = async (context, input) => "
                "new Promise((resolve) => setTimeout(() => resolve(input.value), 10));\n",
    "failing.js": (
        "exports.raises = () => { console.log('about to fail'); throw new Error('bad input'); };\n"
        "exports.sleeps = () => new Promise(() => setInterval(() => {}, 1000));\n"
        "exports.exits = () => process.exit(3);\n"
        "exports.hogs = () => { const kept = [];\n"
        "  for (;;) kept.push(Buffer.alloc(8 << 20, 1)); };\n"
        "exports.bigint = () => 10n;\n"
        "exports.notAFunction = 42;\n"),
    "lib/nested.js": "exports.main = () => 'nested';\n",
}


@pytest.fixture(scope="module")
def package():
    server = PackageServer()
    yield server.add("node.zip", FUNCTIONS)
    server.close()


@pytest.fixture(scope="module")
def worker(tmp_path_factory, host_facts):  # noqa: F811
    driver = LocalOrchestrator(str(tmp_path_factory.mktemp("nodejs")), facts=host_facts)
    yield driver.start_worker("rt-node", "openstackqinling/nodejs-runtime:0.0.1", "fn-node", 0,
                              "w-node")
    driver.close()


def test_tempest_basic_function(worker, package):
    result = execute(worker.url, package, "test_nodejs_basic.main", {"name": "Qinling"},
                     execution_id="e-basic")
    assert (result["output"], result["success"]) == ("Hello, NodeJS", True)
    assert result["logs"] == "Start execution: e-basic\nFinished execution: e-basic\n"
    assert 0 < result["duration"] < 5


@pytest.mark.parametrize("fn_input, passed", [
    ({"name": "Qinling"}, {"name": "Qinling"}), ({"__function_input": "raw"}, "raw"),
    (None, {}), ([1, 2], [1, 2])])
def test_input_reaches_the_handler(worker, package, fn_input, passed):
    result = execute(worker.url, package, "echo.main", fn_input)
    assert result["output"] == {"context": {}, "input": passed}


def test_promises_are_awaited_and_dotted_modules_found(worker, package):
    assert execute(worker.url, package, "later.main", {"value": 7})["output"] == 7
    assert execute(worker.url, package, "lib.nested.main")["output"] == "nested"


def test_an_exception_fails_with_its_message_and_stack_in_the_log(worker, package):
    result = execute(worker.url, package, "failing.raises")
    assert (result["output"], result["success"]) == ("bad input", False)
    assert "about to fail\n" in result["logs"] and "Error: bad input\n    at " in result["logs"]


@pytest.mark.parametrize("entry, message", [
    ("failing.bigint", "Function result is not JSON-serialisable: "),
    ("failing.notAFunction", "Module 'failing' has no function 'notAFunction'."),
    ("missing.main", "Cannot find module"),
    ("nodot", "Invalid entry 'nodot': expected 'module.function'."),
])
def test_unusable_entries_and_results_fail_clearly(worker, package, entry, message):
    result = execute(worker.url, package, entry)
    assert result["success"] is False and result["output"].startswith(message), result


@pytest.mark.parametrize("entry, timeout, output", [
    ("failing.sleeps", 1, TIMEOUT), ("failing.exits", 5, RESOURCE),
    ("failing.hogs", 10, RESOURCE)])
def test_a_killed_execution_leaves_the_worker_serving(worker, package, entry, timeout, output):
    started = time.monotonic()
    result = execute(worker.url, package, entry, timeout=timeout)
    assert (result["output"], result["success"]) == (output, False)
    assert time.monotonic() - started < timeout + 2
    assert execute(worker.url, package, "test_nodejs_basic.main")["success"] is True


def request(url, method, path, body=None):
    host, _, port = url.rpartition("/")[2].partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path, body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_ping_and_bad_requests(worker):
    assert request(worker.url, "GET", "/ping") == (200, b"pong")
    status, body = request(worker.url, "POST", "/execute", b"{not json")
    assert status == 400 and b"not valid JSON" in body
    status, body = request(worker.url, "POST", "/execute", json.dumps({"execution_id": "e"}))
    assert (status, json.loads(body)) == (400, {"error": "'package_url' is required."})
    assert request(worker.url, "GET", "/nowhere")[0] == 404


def test_a_package_that_cannot_be_fetched_is_reported(worker, package):
    url = package[0].rpartition("/")[0] + "/missing.zip"
    result = execute(worker.url, (url, "0" * 64), "test_nodejs_basic.main")
    assert result["success"] is False
    assert result["output"].startswith(f"Failed to download function package from {url}, error: ")


@pytest.fixture
def standalone(tmp_path):
    """``node server.js --port P``: no sandbox, downloads and unzips packages itself."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    node = shutil.which("node") or "/usr/bin/node"
    process = subprocess.Popen([node, str(SERVERS["nodejs"]), "--port", str(port),
                                "--cache-dir", str(tmp_path / "cache")])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            if request(url, "GET", "/ping")[0] == 200:
                break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.02)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_standalone_server_downloads_verifies_and_unzips(standalone, package_server):
    data = make_zip(FUNCTIONS)
    url, sha256 = package_server.add_bytes("standalone.zip", data)
    assert execute(standalone, (url, sha256), "lib.nested.main")["output"] == "nested"
    md5 = hashlib.md5(data).hexdigest()
    body = {"execution_id": "e", "entry": "later.main", "input": {"value": 1},
            "package_url": url, "package_md5": md5}
    status, answer = request(standalone, "POST", "/execute", json.dumps(body))
    assert (status, json.loads(answer)["output"]) == (200, 1)
    wrong = execute(standalone, (url.replace("standalone", "other"), "2" * 64), "later.main")
    assert "HTTP Error 404" in wrong["output"]
    package_server.add_bytes("tampered.zip", data + b"x")
    tampered = execute(standalone, (url.replace("standalone", "tampered"), "1" * 64), "x.main")
    assert "sha256 mismatch: expected " + "1" * 64 in tampered["output"]


def test_a_running_execution_can_be_cancelled(worker, package):
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(execute, worker.url, package, "failing.sleeps", timeout=20,
                              execution_id="e-cancel")
        body = json.dumps({"execution_id": "e-cancel"})
        deadline = time.monotonic() + 10
        while request(worker.url, "POST", "/cancel", body)[0] != 200:
            assert time.monotonic() < deadline and not running.done()
            time.sleep(0.01)
        result = running.result(timeout=5)
    assert (result["output"], result["success"]) == ("Function execution cancelled.", False)
    assert request(worker.url, "POST", "/cancel", body)[0] == 404
    assert request(worker.url, "POST", "/cancel", b"{}")[0] == 400
