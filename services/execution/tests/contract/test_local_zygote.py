"""The zygote protocol (qinling_sandbox/zygote.py and the driver's side, zygotes.py), with real
zygote processes. Plans here take no confinement step: the protocol is what is under test."""
import os
import select
import socket
import sys

import pytest
from local_harness import gone

from qinling_execution.orchestrators.local import capabilities
from qinling_execution.orchestrators.local.process import listening_socket
from qinling_execution.orchestrators.local.zygotes import Zygote, run_probe
from qinling_shared.exceptions import Unavailable
from qinling_testing.runtime_servers import RUNTIMES_DIR

PYTHON3_DIR = str(RUNTIMES_DIR / "python3")

pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")


@pytest.fixture
def zygote(tmp_path):
    running = Zygote("python3", sys.executable, str(tmp_path / "zygote.log"), 10.0,
                     preload=f"{PYTHON3_DIR}/server.py")
    yield running
    running.close()


def plain_plan(tmp_path, name="w-1"):
    worker_dir = tmp_path / name
    for sub in ("packages", "tmp", "root"):
        (worker_dir / sub).mkdir(parents=True, exist_ok=True)
    return capabilities.worker_plan(capabilities.assess({}), name, "python3", None,
                                    str(worker_dir), PYTHON3_DIR, "server.py", sys.executable,
                                    (), 1024, False)


def spawn(zygote, plan, log_path):
    """Spawn through the zygote; ``(pid, pidfd, bind socket)``."""
    listener, (ours, theirs) = listening_socket(), socket.socketpair()
    with open(log_path, "ab") as log:
        try:
            pid, pidfd = zygote.spawn(plan, [listener.fileno(), log.fileno(), theirs.fileno()])
        finally:
            listener.close()
            theirs.close()
    return pid, pidfd, ours


def ppid(pid):
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rpartition(")")[2].split()[1])


def test_a_spawned_worker_is_the_zygotes_child_and_says_ready(zygote, tmp_path):
    pid, pidfd, bind = spawn(zygote, plain_plan(tmp_path), tmp_path / "w-1.log")
    assert ppid(pid) == zygote._popen.pid  # W0 exited; the subreaper zygote adopted W1
    assert select.select([bind], [], [], 10)[0] and bind.recv(64) == b"ready\n"
    assert not select.select([pidfd], [], [], 0)[0]  # running
    zygote.close()
    assert select.select([pidfd], [], [], 5)[0]  # the worker ends with its zygote
    os.close(pidfd)
    bind.close()


def test_a_bad_request_is_answered_and_the_zygote_stays(zygote, tmp_path):
    listener = listening_socket()
    with pytest.raises(Unavailable, match=r"could not start worker w-1: .*with 1 fds"):
        zygote.spawn(plain_plan(tmp_path), [listener.fileno()])
    listener.close()
    first = zygote._popen.pid
    pid, pidfd, bind = spawn(zygote, plain_plan(tmp_path, "w-2"), tmp_path / "w-2.log")
    assert zygote._popen.pid == first and pid > 0
    os.close(pidfd)
    bind.close()


def test_a_worker_that_fails_at_once_is_reported_with_its_log(zygote, tmp_path):
    plan = plain_plan(tmp_path)
    plan["cgroup"] = {"version": 1, "dirs": {"memory": str(tmp_path / "no-such-cgroup")}}
    plan["strict"] = True  # joining the cgroup fails: refuse to run
    with pytest.raises(Unavailable, match=r"failed before it started \(see its log\)"):
        spawn(zygote, plan, tmp_path / "w-1.log")
    log = (tmp_path / "w-1.log").read_text()
    assert "refusing to run: joining the worker's cgroup failed" in log


def test_a_dead_zygote_is_replaced_on_the_next_spawn(zygote, tmp_path):
    pid, pidfd, bind = spawn(zygote, plain_plan(tmp_path), tmp_path / "w-1.log")
    first = zygote._popen.pid
    os.kill(first, 9)
    assert select.select([pidfd], [], [], 5)[0]  # its worker went with it
    assert gone(pid)
    again, pidfd_again, bind_again = spawn(zygote, plain_plan(tmp_path, "w-2"),
                                           tmp_path / "w-2.log")
    assert zygote._popen.pid != first and ppid(again) == zygote._popen.pid
    for fd in (pidfd, pidfd_again):
        os.close(fd)
    bind.close()
    bind_again.close()


def test_a_zygote_that_cannot_start_gives_unavailable_with_its_output(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'no runtime here' >&2\nexit 4\n")
    fake.chmod(0o755)
    zygote = Zygote("python3", str(fake), str(tmp_path / "zygote.log"), 5.0)
    with pytest.raises(Unavailable, match="exited with status 4 before it was ready.*no runtime"):
        spawn(zygote, plain_plan(tmp_path), tmp_path / "w-1.log")


def test_the_probe_reports_every_primitive(tmp_path):
    facts = run_probe(sys.executable, str(tmp_path))
    assert set(facts) == {"root", "capabilities", "cgroups", "namespaces", "network_isolation",
                          "pivot_root", "landlock_abi", "uid_switch", "rlimit_hard"}
    assert set(facts["namespaces"]) == {"mount", "pid", "net", "ipc", "uts", "user"}
    assert facts["pivot_root"] is True and facts["network_isolation"] is True
    assert os.listdir(tmp_path) == []  # the probe's root was only ever mounted in a child


def test_a_probe_that_cannot_run_says_why(tmp_path):
    facts = run_probe(str(tmp_path / "no-python"), str(tmp_path))
    assert facts["error"].startswith("the probe could not run: ")
