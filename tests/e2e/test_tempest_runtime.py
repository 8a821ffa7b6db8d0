"""Qinling's tempest runtime scenarios (limits, timeouts, cpu, input) through
the REST API of the whole platform, with the local orchestrator's sandbox.

The functions behave as tempest's do (written here, not copied), with parameters so that the
same function can also run cheaply: after every failure, an execution of the same function
succeeds on the same worker, which proves the limit killed the execution, not the worker.
"""
import json

from qinling_testing.packages import zip_package

RESOURCE = "Function execution failed because of too much resource consumption"
TIMEOUT = "Function execution timeout."

MEMORY = '''\
CHUNK = 20 * 1024 * 1024


def main(chunks=4, **kwargs):
    held = [letter * CHUNK for letter in "abcd"[:chunks]]
    return len(held)
'''
FILES = '''\
import resource


def main(number=1024, **kwargs):
    print("RLIMIT_NOFILE", resource.getrlimit(resource.RLIMIT_NOFILE))
    opened = []
    try:
        for n in range(number):
            opened.append(open(f"file_{n}", "w"))
    finally:
        for handle in opened:
            handle.close()
    return number
'''
PROCESSES = '''\
import multiprocessing
import resource
import time


def main(number=10, extra=1, seconds=10, **kwargs):
    hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    resource.setrlimit(resource.RLIMIT_NPROC, (number, hard))
    children = [multiprocessing.Process(target=time.sleep, args=(seconds,))
                for _ in range(number + extra)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    return len(children)
'''
SLEEP = '''\
import time


def main(seconds=4, **kwargs):
    time.sleep(seconds)
    return seconds
'''
PI = '''\
def arccot(x, unity):
    total = term = unity // x
    square, n, sign = x * x, 3, -1
    while term:
        term //= square
        total += sign * (term // n)
        sign, n = -sign, n + 2
    return total


def main(digits=50000, **kwargs):
    unity = 10 ** (digits + 10)
    return str(4 * (4 * arccot(5, unity) - arccot(239, unity)))[:15]
'''
POSITIONAL = '''\
def main(name, **kwargs):
    return f"Hello, {name}"
'''
READER = '''\
def main(paths, **kwargs):
    found = {}
    for path in paths:
        try:
            with open(path, "rb") as handle:
                found[path] = len(handle.read())
        except OSError as exc:
            found[path] = exc.strerror
    return found
'''
NODEJS_BASIC = 'exports.main = (context, input) => "Hello, NodeJS";\n'


def create(api, runtime_id, source, **fields):
    response = api.create_function(runtime_id, name="tempest",
                                   package=zip_package({"main.py": source}), **fields)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def execute(api, function_id, fn_input=None):
    """``(status, result)`` of a sync execution (``result`` decoded, as tempest does)."""
    response = api.execute(function_id, input=fn_input)
    assert response.status_code == 201, response.text
    execution = response.json()
    return execution["status"], json.loads(execution["result"])


def update(api, function_id, **fields):
    response = api.put(f"/v1/functions/{function_id}", data={k: str(v) for k, v in fields.items()})
    assert response.status_code == 200, response.text


def workers(api, function_id):
    response = api.get(f"/v1/functions/{function_id}/workers")
    assert response.status_code == 200, response.text
    return sorted(w["worker_name"] for w in response.json()["workers"])


def assert_survives(api, function_id, failing_input, cheap_input, check):
    """The failing execution fails as ``check`` expects, on a worker that then runs a cheap
    execution of the same function."""
    status, _ = execute(api, function_id, cheap_input)
    assert status == "success"
    before = workers(api, function_id)
    assert len(before) == 1
    status, result = execute(api, function_id, failing_input)
    check(status, result)
    assert workers(api, function_id) == before
    status, result = execute(api, function_id, cheap_input)
    assert status == "success", result
    assert workers(api, function_id) == before


def test_memory_over_the_limit_fails_and_within_it_succeeds(api, runtime_id):
    function_id = create(api, runtime_id, MEMORY)  # default memory_size: 32 MiB

    def fails(status, result):
        assert (status, result["output"]) == ("failed", RESOURCE)

    assert_survives(api, function_id, None, {"chunks": 0}, fails)
    update(api, function_id, memory_size=100663296)
    status, result = execute(api, function_id)
    assert (status, result["output"]) == ("success", 4)


def test_too_many_open_files_fail_cleanly(api, runtime_id):
    function_id = create(api, runtime_id, FILES)

    def fails(status, result):
        assert status == "failed"
        assert "Too many open files" in result["output"]

    assert_survives(api, function_id, None, {"number": 10}, fails)


def test_too_many_processes_fail_cleanly(api, runtime_id):
    function_id = create(api, runtime_id, PROCESSES)

    def fails(status, result):
        assert status == "failed"
        assert "too much resource consumption" in result["output"]

    assert_survives(api, function_id, None, {"number": 10, "extra": -9, "seconds": 0}, fails)


def test_a_sleep_past_the_timeout_is_killed(api, runtime_id):
    function_id = create(api, runtime_id, SLEEP, timeout=2)

    def times_out(status, result):
        assert (status, result["output"]) == ("failed", TIMEOUT)
        assert 2 <= result["duration"] < 4

    assert_survives(api, function_id, {"seconds": 6}, {"seconds": 0}, times_out)


def test_twice_the_cpu_runs_twice_as_fast(api, runtime_id):
    function_id = create(api, runtime_id, PI, timeout=60)  # default cpu: 100 millicpu
    digits = {"digits": 20000}
    status, slow = execute(api, function_id, digits)
    assert (status, slow["output"]) == ("success", "314159265358979")
    update(api, function_id, cpu=200)
    status, fast = execute(api, function_id, digits)
    assert (status, fast["output"]) == ("success", "314159265358979")
    assert 1.8 * fast["duration"] <= slow["duration"] <= 2.5 * fast["duration"], (slow, fast)


def test_positional_input(api, runtime_id):
    function_id = create(api, runtime_id, POSITIONAL)
    status, result = execute(api, function_id, "Qinling")  # not JSON: one positional argument
    assert (status, result["output"]) == ("success", "Hello, Qinling")


def test_the_platforms_config_and_databases_are_out_of_reach(api, runtime_id, platform):
    databases = sorted(str(p) for p in (platform.dir / "state").glob("*.sqlite"))
    assert databases, "the platform keeps its databases under its state path"
    paths = [str(platform.conf_path), *databases]
    status, result = execute(api, create(api, runtime_id, READER), {"paths": paths})
    assert status == "success"
    assert result["output"] == dict.fromkeys(paths, "No such file or directory")


def test_nodejs_basic_execution(api):
    response = api.create_runtime(name="nodejs", image="openstackqinling/nodejs-runtime:0.0.1")
    assert response.status_code == 201, response.text
    runtime = response.json()
    api.wait_for_status(f"/v1/runtimes/{runtime['id']}", {"available"})
    response = api.create_function(
        runtime["id"], name="nodejs", entry="test_nodejs_basic.main",
        package=zip_package({"test_nodejs_basic.js": NODEJS_BASIC}))
    assert response.status_code == 201, response.text
    status, result = execute(api, response.json()["id"], '{"name": "Qinling"}')
    assert (status, result["output"]) == ("success", "Hello, NodeJS")
