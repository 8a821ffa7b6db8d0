"""Hostile functions end with their execution, on real workers of the local driver (Python and
Node.js): a fork bomb, daemons (double fork, new session, SIGTERM ignored) and a function that
kills its worker. No process of the function outlives its execution by more than 1 s, found by
the function's uid on this host; the next execution succeeds at once. Also: concurrent pool
requests (D6), and a stopped worker or driver leaves no process of a function."""
import http.client
import os
import time

import eventlet
import pytest
from local_harness import execute, host_facts  # noqa: F401 - a fixture

from qinling_execution.orchestrators.local import capabilities
from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_testing.hostile_functions import SOURCES
from qinling_testing.runtime_servers import RUNTIMES_DIR

pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")

TIMEOUT = "Function execution timeout."
BOMB_ENDS = (TIMEOUT, "Function execution failed because of too much resource consumption")
ENTRY = "main.main"


@pytest.fixture(scope="module")
def package(package_server):
    return package_server.add("hostile.zip", dict(SOURCES.values()))


@pytest.fixture(scope="module")
def driver(tmp_path_factory, host_facts):  # noqa: F811
    orchestrator = LocalOrchestrator(str(tmp_path_factory.mktemp("hostile")), RUNTIMES_DIR,
                                     facts=host_facts)
    yield orchestrator
    orchestrator.close()


def function_processes(driver, function_id):
    """Host pids of the function's uid, but for its workers' own (init, runtime server)."""
    uid = capabilities.function_uid(function_id)
    own = set()
    for name in list(driver._workers):
        own |= driver.workspace.parent.child(name).child("worker").procs()
    found = set()
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                found.add(int(entry))
        except FileNotFoundError:
            pass
    return found - own


def gone_within(driver, function_id, seconds=1.0):
    """The processes of the function still there ``seconds`` after now (polled)."""
    deadline = time.monotonic() + seconds
    while (left := function_processes(driver, function_id)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return left


@pytest.mark.parametrize("runtime", ["python3", "nodejs"])
def test_a_fork_bomb_ends_with_its_execution(driver, package, runtime):
    function_id = f"fn-bomb-{runtime}"
    worker = driver.start_worker("rt", runtime, function_id, 0, f"w-bomb-{runtime}")
    result = execute(worker.url, package, ENTRY, {"action": "bomb"}, timeout=2)
    assert result["success"] is False
    assert result["output"] in BOMB_ENDS, result  # the timeout, or a limit it hit first
    assert gone_within(driver, function_id) == set()
    started = time.monotonic()
    hello = execute(worker.url, package, ENTRY, {"action": "hello"}, timeout=2)
    assert hello["output"] == "hello"
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("runtime", ["python3", "nodejs"])
def test_daemons_end_with_their_execution(driver, package, runtime):
    function_id = f"fn-daemons-{runtime}"
    worker = driver.start_worker("rt", runtime, function_id, 0, f"w-daemons-{runtime}")
    result = execute(worker.url, package, ENTRY, {"action": "daemons"}, timeout=20)
    assert result["success"] is True, result
    assert result["output"] >= 3  # they ran when the function returned
    assert gone_within(driver, function_id) == set()
    assert execute(worker.url, package, ENTRY, {"action": "hello"})["output"] == "hello"


@pytest.mark.parametrize("runtime", ["python3", "nodejs"])
def test_a_worker_its_function_killed_is_found_dead_at_once(driver, package, runtime):
    function_id = f"fn-killer-{runtime}"
    name = f"w-killer-{runtime}"
    worker = driver.start_worker("rt", runtime, function_id, 0, name)
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        execute(worker.url, package, ENTRY, {"action": "kill_worker"})
    deadline = time.monotonic() + 1.0
    while driver.worker_alive(name):  # the driver's own process state: no call to the worker
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert gone_within(driver, function_id) == set()
    assert name not in {w.name for w in driver.list_workers()}
    fresh = driver.start_worker("rt", runtime, function_id, 0, f"{name}-2")
    assert execute(fresh.url, package, ENTRY, {"action": "hello"})["output"] == "hello"


def test_a_stopped_worker_and_a_closed_driver_leave_no_process(tmp_path, host_facts,  # noqa: F811
                                                               package):
    own = LocalOrchestrator(str(tmp_path), RUNTIMES_DIR, facts=host_facts)
    try:
        for name in ("w-stop", "w-close"):
            worker = own.start_worker("rt", "python3", f"fn-{name}", 0, name)
            eventlet.spawn_n(lambda url=worker.url: _quietly(
                execute, url, package, ENTRY, {"action": "bomb"}, timeout=60))
        for name in ("w-stop", "w-close"):
            deadline = time.monotonic() + 10
            while len(function_processes(own, f"fn-{name}")) < 10:
                assert time.monotonic() < deadline
                eventlet.sleep(0.01)
        own.stop_worker("w-stop")
        assert function_processes(own, "fn-w-stop") == set()
    finally:
        own.close()
    assert function_processes(own, "fn-w-close") == set()


def _quietly(function, *args, **kwargs):
    try:
        function(*args, **kwargs)
    except Exception:  # noqa: B902 - the worker is stopped under it
        pass


def test_concurrent_pool_requests_all_answer(driver):
    # D6: eventlet refused a second green thread waiting on the same pidfd.
    driver.start_idle_worker("rt-pool", "python3", "w-pool-1")
    driver.start_idle_worker("rt-pool", "python3", "w-pool-2")
    pile = eventlet.GreenPile(8)
    for _ in range(8):
        pile.spawn(lambda: [driver.pool_info("rt-pool") for _ in range(40)])
    answers = [info for infos in pile for info in infos]
    assert len(answers) == 320
    assert {(info.total, info.available) for info in answers} == {(2, 2)}
