"""Ending every process of a cgroup (qinling_sandbox/killing.py) against a fork bomb whose
processes start sessions of their own and ignore SIGTERM, in real cgroups of this host, by each
method the sandbox uses: cgroup.kill (v2) and a pids limit of 0 (v1 or v2)."""
import os
import subprocess
import sys
import time

import pytest
from local_harness import host_facts  # noqa: F401 - a fixture

from qinling_execution.orchestrators.local import capabilities
from qinling_execution.orchestrators.local.qinling_sandbox import cgroups, killing

BOMB = """
import os, signal, sys
sys.stdin.readline()  # wait until moved into the group
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    try:
        if os.fork() == 0:
            os.setsid()
    except OSError:
        pass
"""
PIDS = 48


@pytest.fixture
def group():
    """A group in the v1 pids hierarchy (limited to ``PIDS``) and in the v2 one (for
    cgroup.kill; no controllers there on this hybrid host)."""
    own = cgroups.read_own_cgroups()
    made = cgroups.Group(1, {"pids": own["v1"]["pids"], "v2": own["v2"]}).child(
        f"qinling-test-{os.getpid()}")
    made.make()
    assert made.write_limits(pids=PIDS) == {"pids.max": "ok"}
    yield made
    assert made.remove() == []


def start_bomb(group):
    bomb = subprocess.Popen([sys.executable, "-c", BOMB], stdin=subprocess.PIPE)
    group.join(bomb.pid)
    bomb.stdin.write(b"go\n")
    bomb.stdin.flush()
    deadline = time.monotonic() + 10
    while len(group.procs()) < PIDS // 2:  # it has spread
        assert time.monotonic() < deadline, group.procs()
        time.sleep(0.01)
    return bomb


@pytest.mark.parametrize("where, how", [("v2", "cgroup.kill"), ("pids", "pids.max")])
def test_a_fork_bomb_is_ended_at_once(group, where, how):
    assert killing.method(group.dirs[where]) == how
    bomb = start_bomb(group)
    started = time.monotonic()
    assert killing.end_all(group.dirs[where]) is True
    assert time.monotonic() - started < 1.0
    assert killing.procs_under(group.dirs["v2"]) == group.procs() == set()
    with open(os.path.join(group.dirs["pids"], "pids.max")) as limit:
        assert limit.read().strip() == str(PIDS)  # put back for the next execution
    bomb.wait(timeout=5)
    bomb.stdin.close()


def test_an_empty_group_costs_one_read(group, monkeypatch):
    reads = []
    real = killing._procs
    monkeypatch.setattr(killing, "_procs", lambda d: reads.append(d) or real(d))
    monkeypatch.setattr(killing, "method", lambda d: pytest.fail("no method is looked up"))
    assert group.kill() is True
    assert reads == [group.dirs["pids"]]


def test_the_driver_reports_how_it_ends_leftovers(host_facts):  # noqa: F811
    report = capabilities.assess(host_facts).report()
    assert report["leftovers"].startswith("pids.max 0 (no fork succeeds)")
