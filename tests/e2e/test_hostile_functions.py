"""Hostile functions end with their execution, through the whole platform (issue #9, D10/D11,
D6): a fork bomb, a function that kills its worker and one that leaves daemons behind (double
fork, new session, SIGTERM ignored), in Python and Node.js. Each execution is recorded with a
clear result, the next execution of the same function succeeds at once (on a new worker when
its worker was killed), and no process of the function is alive 1 s after its execution ended:
found on this host by the function's uid, outside its workers' own processes."""
import concurrent.futures
import json
import os
import time

import pytest

from qinling_execution.orchestrators.local.capabilities import function_uid
from qinling_execution.outcomes import WORKER_DIED
from qinling_testing.hostile_functions import SOURCES
from qinling_testing.packages import zip_package

TIMEOUT = "Function execution timeout."
BOMB_ENDS = (TIMEOUT, "Function execution failed because of too much resource consumption")


@pytest.fixture(scope="module")
def runtimes(platform, runtime_id):
    from qinling_testing.api_client import ApiClient
    client = ApiClient(platform.url)
    response = client.create_runtime(name="nodejs", image="nodejs")
    assert response.status_code == 201, response.text
    node = client.wait_for_status(f"/v1/runtimes/{response.json()['id']}", {"available"})
    client.close()
    return {"python3": runtime_id, "nodejs": node["id"]}


def create(api, runtimes, runtime):
    name, source = SOURCES[runtime]
    response = api.create_function(runtimes[runtime], name="hostile", timeout=3,
                                   package=zip_package({name: source}))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def run(api, function_id, action):
    response = api.execute(function_id, input={"action": action})
    assert response.status_code == 201, response.text
    execution = response.json()
    return execution, json.loads(execution["result"])


def function_processes(function_id):
    """Host pids running as the function's uid, but for its workers' own (the worker's init
    and runtime server sit in the ``worker`` leaf of the worker's cgroup)."""
    uid, found = function_uid(function_id), set()
    for entry in os.listdir("/proc"):
        try:
            if not entry.isdigit() or os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            with open(f"/proc/{entry}/cgroup") as groups:
                if any(line.rstrip().endswith("/worker") for line in groups):
                    continue
        except (FileNotFoundError, ProcessLookupError):  # it exited meanwhile
            continue
        found.add(int(entry))
    return found


def left_after(function_id, seconds=1.0):
    """The function's processes still alive ``seconds`` after now (polled, not slept)."""
    deadline = time.monotonic() + seconds
    while (left := function_processes(function_id)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return left


def workers(api, function_id):
    response = api.get(f"/v1/functions/{function_id}/workers")
    return sorted(w["worker_name"] for w in response.json()["workers"])


def next_succeeds(api, function_id):
    started = time.monotonic()
    execution, result = run(api, function_id, "hello")
    assert (execution["status"], result["output"]) == ("success", "hello"), execution
    return time.monotonic() - started


@pytest.mark.parametrize("runtime", ["python3", "nodejs"])
def test_a_fork_bomb_ends_with_its_execution(api, runtimes, runtime):
    function_id = create(api, runtimes, runtime)
    execution, result = run(api, function_id, "bomb")
    assert execution["status"] == "failed"
    assert result["output"] in BOMB_ENDS, result  # the timeout, or a limit it hit first
    assert left_after(function_id) == set()
    assert next_succeeds(api, function_id) < 2.0


@pytest.mark.parametrize("runtime", ["python3", "nodejs"])
def test_daemons_end_with_their_execution(api, runtimes, runtime):
    function_id = create(api, runtimes, runtime)
    execution, result = run(api, function_id, "daemons")
    assert (execution["status"], result["output"]) == ("success", 3)  # they ran
    assert left_after(function_id) == set()
    assert next_succeeds(api, function_id) < 2.0


@pytest.mark.parametrize("runtime", ["python3", "nodejs"])
def test_a_function_that_kills_its_worker_is_recorded_and_replaced(api, runtimes, runtime):
    function_id = create(api, runtimes, runtime)
    assert next_succeeds(api, function_id) < 10.0
    before = workers(api, function_id)
    execution, result = run(api, function_id, "kill_worker")
    assert (execution["status"], result["output"]) == ("failed", "Function execution failed.")
    log = api.get(f"/v1/executions/{execution['id']}/log").text
    assert WORKER_DIED in log, log
    assert left_after(function_id) == set()
    assert next_succeeds(api, function_id) < 2.0  # on a new worker, without waiting
    assert workers(api, function_id) != before


def test_concurrent_pool_requests_all_answer(platform, runtime_id):
    # D6: 8 clients at once used to get 500s (eventlet: a second reader of a worker's pidfd).
    from qinling_testing.api_client import ApiClient

    def client_run(_):
        client = ApiClient(platform.url)
        try:
            return [client.get(f"/v1/runtimes/{runtime_id}/pool").status_code
                    for _ in range(40)]
        finally:
            client.close()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = [status for batch in pool.map(client_run, range(8)) for status in batch]
    assert statuses == [200] * 320
