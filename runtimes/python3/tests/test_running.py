"""The executions a worker runs (``pyruntime.running``), so that ``POST /cancel`` can stop one."""
import subprocess

from pyruntime import running


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
