"""The Node.js runtime server (runtimes/nodejs) in the local driver's sandbox: it execs as
root with only CAP_SETUID/CAP_SETGID and switches uid itself, gets its packages through the
worker's init and runs each execution in a cgroup the init made. What the runtime server does
on its own is the worker-contract suite's (runtimes/tests)."""
import concurrent.futures
import http.client
import json
import time

import pytest
from local_harness import execute, host_facts  # noqa: F401 - a fixture

from qinling_execution.orchestrators.local import capabilities
from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_testing.runtime_servers import RUNTIMES_DIR

pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")

TIMEOUT = "Function execution timeout."
RESOURCE = "Function execution failed because of too much resource consumption"
NODE_MARGIN = 32 << 20  # the Node.js runtime asks for memory_size plus this for V8
FUNCTIONS = {
    "test_nodejs_basic.js": 'exports.main = (context, input) => "Hello, NodeJS";\n',
    "failing.js": (
        "exports.sleeps = () => new Promise(() => setInterval(() => {}, 1000));\n"
        "exports.exits = () => process.exit(3);\n"
        "exports.hogs = () => { const kept = [];\n"
        "  for (;;) kept.push(Buffer.alloc(8 << 20, 1)); };\n"),
    "inspect.js": (
        "const fs = require('fs');\n"
        "const knob = (controller, name) => {\n"
        "  const mine = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\\n')\n"
        "    .find((line) => line.includes(`:${controller}:`));\n"
        "  const leaf = mine.trim().split('/').pop();\n"
        "  return fs.readFileSync(`/cgroup/${controller}/${leaf}/${name}`, 'utf8').trim();\n"
        "};\n"
        "exports.identity = () => ({ uid: process.getuid(),\n"
        "  memory: knob('memory', 'memory.limit_in_bytes'),\n"
        "  quota: knob('cpu', 'cpu.cfs_quota_us'), pids: knob('pids', 'pids.max') });\n"),
}


@pytest.fixture(scope="module")
def package(package_server):
    return package_server.add("node.zip", FUNCTIONS)


@pytest.fixture(scope="module")
def worker(tmp_path_factory, host_facts):  # noqa: F811
    driver = LocalOrchestrator(str(tmp_path_factory.mktemp("nodejs")), RUNTIMES_DIR,
                               facts=host_facts)
    yield driver.start_worker("rt-node", "openstackqinling/nodejs-runtime:0.0.1", "fn-node", 0,
                              "w-node")
    driver.close()


def test_tempest_basic_function(worker, package):
    result = execute(worker.url, package, "test_nodejs_basic.main", {"name": "Qinling"},
                     execution_id="e-basic")
    assert (result["output"], result["success"]) == ("Hello, NodeJS", True)
    assert result["logs"] == "Start execution: e-basic\nFinished execution: e-basic\n"
    assert 0 < result["duration"] < 5


def test_an_execution_runs_as_the_function_in_a_cgroup_of_its_own(worker, package):
    for cpu, memory in ((250, 48 << 20), (500, 64 << 20), (250, 48 << 20)):
        result = execute(worker.url, package, "inspect.identity", cpu=cpu, memory_size=memory)
        assert result["output"] == {"uid": capabilities.function_uid("fn-node"),
                                    "memory": str(memory + NODE_MARGIN),
                                    "quota": str(cpu * 100), "pids": "128"}, result


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


def test_a_package_the_init_cannot_fetch_is_reported(worker, package):
    url = package[0].rpartition("/")[0] + "/missing.zip"
    result = execute(worker.url, (url, "0" * 64), "test_nodejs_basic.main")
    assert result["success"] is False
    assert result["output"] == (f"Failed to download function package from {url}, "
                                "error: HTTP Error 404: Not Found")


def test_a_package_the_init_fetched_is_verified(worker, package_server):
    url, _ = package_server.add("tampered.zip", FUNCTIONS)
    result = execute(worker.url, (url, "1" * 64), "test_nodejs_basic.main")
    assert result["output"].startswith(f"Failed to download function package from {url}, "
                                       f"error: sha256 mismatch: expected {'1' * 64}, got ")


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
