"""Workers of a killed execution service (the local driver): they linger as orphans, finish
the runs they have and tell their outcomes (``POST /outcome``) until the service, started
again, has asked; then they end on their own. A zygote that dies while its service lives still
takes its workers with it at once."""
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from local_harness import execute, host_facts  # noqa: F401 - host_facts is a fixture

from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_execution.orchestrators.local.process import ping
from qinling_execution.worker_client import WorkerClient
from qinling_testing.runtime_servers import RUNTIMES_DIR

pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")
LINGER = 4.0

# A service in a process of its own, to be killed: starts one worker, says where, waits.
SERVICE = """
import json, sys
from qinling_execution.orchestrators.local.driver import LocalOrchestrator
state, runtimes, facts, linger = sys.argv[1:5]
driver = LocalOrchestrator(state, runtimes, facts=json.loads(facts),
                           orphan_linger=float(linger))
worker = driver.start_worker("rt-1", "python3", "fn-1", 0, "w-1")
print(json.dumps({"url": worker.url}), flush=True)
sys.stdin.read()
"""


@pytest.fixture
def service(tmp_path, host_facts):
    process = subprocess.Popen(
        [sys.executable, "-c", SERVICE, str(tmp_path / "state"), RUNTIMES_DIR,
         json.dumps(host_facts), str(LINGER)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    yield process, json.loads(process.stdout.readline())["url"]
    process.kill()
    process.wait()


def until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_killed_services_worker_finishes_its_run_tells_its_outcome_then_ends(
        service, functions_package):
    process, url = service
    client, execution_id = WorkerClient(), f"e-{uuid.uuid4().hex[:8]}"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        run = pool.submit(execute, url, functions_package, "failing.sleeps", {"seconds": 1.5},
                          timeout=10, execution_id=execution_id)
        assert until(lambda: client.outcome(url, execution_id)[0] == "running", 10)
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed = time.monotonic()
        state, result = client.outcome(url, execution_id, wait=10)
        assert (state, result["success"]) == ("finished", True), result
        assert result["output"] == run.result(timeout=10)["output"]
    assert client.outcome(url, execution_id) == ("finished", result)  # asked again: the same
    assert until(lambda: not ping(url, timeout=0.5), LINGER + 10)  # then it ends on its own
    assert time.monotonic() - killed > LINGER - 1.0
    client.close()


def test_a_zygote_that_dies_under_a_live_service_takes_its_workers_at_once(tmp_path,
                                                                          host_facts):
    driver = LocalOrchestrator(str(tmp_path / "state"), RUNTIMES_DIR, facts=host_facts,
                               orphan_linger=60)
    try:
        worker = driver.start_worker("rt-1", "python3", "fn-1", 0, "w-1")
        os.kill(driver._zygotes["python3"]._popen.pid, signal.SIGKILL)
        assert until(lambda: not ping(worker.url, timeout=0.5), 5)
    finally:
        driver.close()


def test_what_a_killed_service_left_is_removed_once_its_orphans_are_done(tmp_path,
                                                                         host_facts):
    stale = tmp_path / "workers" / "w-old" / "packages"
    stale.mkdir(parents=True)
    driver = LocalOrchestrator(str(tmp_path), RUNTIMES_DIR, facts=host_facts,
                               orphan_linger=1.0)
    try:
        assert stale.exists()  # its orphan may still be asked about its runs
        assert until(lambda: not (tmp_path / "workers" / "w-old").exists(), 10)
    finally:
        driver.close()
