"""``POST /cancel`` on the real Python 3 runtime server: the run is killed, the worker goes on."""
import json
import subprocess
import time

import eventlet
import pytest
from worker_harness import _runtime_modules

CANCELLED = "Function execution cancelled."
(running,) = _runtime_modules("running")


def cancel(worker, execution_id):
    status, _, data = worker.request("POST", "/cancel",
                                     json.dumps({"execution_id": execution_id}))
    return status, json.loads(data)


def test_a_running_execution_is_killed_at_once(worker, functions_package):
    run = eventlet.spawn(worker.execute, functions_package, "failing.sleeps",
                         {"seconds": 30}, timeout=60, execution_id="exec-cancel")
    deadline = time.monotonic() + 10
    while cancel(worker, "exec-cancel")[0] != 200:  # 404 until the run has begun
        assert time.monotonic() < deadline, "the run never began"
        eventlet.sleep(0.02)
    result = run.wait()
    assert (result["output"], result["success"]) == (CANCELLED, False)
    assert result["duration"] < 10
    assert cancel(worker, "exec-cancel") == (
        404, {"error": "Execution exec-cancel does not run here."})
    assert worker.execute(functions_package, "hello.main")["output"] == "Hello, World"


def test_cancelling_what_does_not_run_is_a_404(worker):
    assert cancel(worker, "nothing") == (404, {"error": "Execution nothing does not run here."})


@pytest.mark.parametrize("body", [b"{}", b'{"execution_id": 5}', b"[]"])
def test_a_malformed_cancel_is_a_400(worker, body):
    status, _, data = worker.request("POST", "/cancel", body)
    assert status == 400
    assert json.loads(data) == {"error": "'execution_id' is required and must be a string."}


def sleeper():
    """A process leading its own process group, as an execution child does."""
    return subprocess.Popen(["sleep", "30"], start_new_session=True)


def test_a_cancel_before_the_fork_kills_the_child_as_it_appears():
    tracker, child = running.Running(), sleeper()
    with tracker.track("e1") as forked:
        assert tracker.cancel("e1") is True
        forked(child.pid)
        assert child.wait(5) == -9
        assert tracker.cancelled("e1")
    assert not tracker.cancelled("e1") and tracker.cancel("e1") is False


def test_only_the_cancelled_execution_is_killed():
    tracker, mine, other = running.Running(), sleeper(), sleeper()
    with tracker.track("e1") as forked_mine, tracker.track("e2") as forked_other:
        forked_mine(mine.pid)
        forked_other(other.pid)
        tracker.cancel("e1")
        assert mine.wait(5) == -9
        assert other.poll() is None
    other.kill()
    other.wait()
