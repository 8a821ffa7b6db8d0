"""Limits a real worker of the local driver enforces on each execution, and what it is: the
function's uid without capabilities, a cgroup of its own per execution with the request's
limits, nothing left behind, the worker's own limits out of the function's reach."""
import os
import signal
import time

import pytest
from local_harness import execute, host_facts  # noqa: F401 - a fixture

from qinling_execution.orchestrators.local import capabilities
from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_execution.orchestrators.local.qinling_sandbox import cgroups, execlimits
from qinling_testing.runtime_servers import RUNTIMES_DIR

pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")

RESOURCE = "Function execution failed because of too much resource consumption"
INSPECT = '''\
import os
import subprocess
import time


def status(key):
    with open("/proc/self/status") as lines:
        return next(line.split(":", 1)[1].strip() for line in lines if line.startswith(key))


def knob(controller, name):
    mine = [line for line in open("/proc/self/cgroup") if f":{controller}:" in line][0]
    leaf = mine.strip().rpartition("/")[2]
    with open(f"/cgroup/{controller}/{leaf}/{name}") as value:
        return value.read().strip()


def identity(**kwargs):
    return {"uid": os.getuid(), "caps": status("CapEff"), "nnp": status("NoNewPrivs"),
            "memory": knob("memory", "memory.limit_in_bytes"),
            "quota": knob("cpu", "cpu.cfs_quota_us"), "pids": knob("pids", "pids.max")}


def raise_worker_limit(**kwargs):
    try:
        with open("/cgroup/memory/memory.limit_in_bytes", "w") as knob:
            knob.write("-1")
        return "raised"
    except OSError as exc:
        return exc.errno


def leave_a_daemon(**kwargs):
    subprocess.Popen(["sleep", "300"], start_new_session=True)  # not in our process group
    return "left"


def hog(children=3, megabytes=16, **kwargs):
    code = f"b = bytearray({megabytes} << 20); import time; time.sleep(1)"
    procs = [subprocess.Popen(["python3", "-c", code]) for _ in range(children)]
    return [p.wait() for p in procs]
'''


@pytest.fixture(scope="module")
def package(package_server):
    return package_server.add("inspect.zip", {"inspect_me.py": INSPECT})


@pytest.fixture(scope="module")
def driver(tmp_path_factory, host_facts):  # noqa: F811
    orchestrator = LocalOrchestrator(str(tmp_path_factory.mktemp("limits")), RUNTIMES_DIR,
                                     facts=host_facts)
    yield orchestrator
    orchestrator.close()


@pytest.fixture(scope="module")
def worker(driver):
    return driver.start_worker("rt", "python3", "fn-limits", 0, "w-limits")


def worker_group(driver):
    return driver.workspace.parent.child("w-limits")


def test_an_execution_runs_as_the_function_in_a_cgroup_of_its_own(worker, package):
    result = execute(worker.url, package, "inspect_me.identity", cpu=250, memory_size=48 << 20)
    assert result["output"] == {
        "uid": capabilities.function_uid("fn-limits"), "caps": "0000000000000000", "nnp": "1",
        "memory": str(48 << 20), "quota": "25000", "pids": "128"}


def test_a_reused_execution_group_has_each_request_s_limits(worker, package):
    for cpu, memory in ((250, 48 << 20), (500, 64 << 20), (250, 48 << 20), (500, 64 << 20)):
        result = execute(worker.url, package, "inspect_me.identity", cpu=cpu, memory_size=memory)
        assert (result["output"]["memory"], result["output"]["quota"]) == (
            str(memory), str(cpu * 100))


def test_the_worker_wide_limits_are_out_of_reach(driver, worker, package):
    result = execute(worker.url, package, "inspect_me.raise_worker_limit")
    assert result["output"] == 13  # EACCES: root wrote them
    limit = os.path.join(worker_group(driver).dirs["memory"], "memory.limit_in_bytes")
    with open(limit) as knob:
        assert int(knob.read()) == 512 << 20


def test_memory_of_several_processes_counts_against_one_limit(worker, package):
    # Each child stays under any per-process limit (RLIMIT_AS); together they exceed the
    # execution's memory cgroup, which kills some of them (or the execution itself).
    fits = execute(worker.url, package, "inspect_me.hog", cpu=300, memory_size=128 << 20,
                   timeout=30)
    assert fits["output"] == [0, 0, 0], fits
    result = execute(worker.url, package, "inspect_me.hog", cpu=300, memory_size=48 << 20,
                     timeout=30)
    if result["success"]:
        assert -signal.SIGKILL in result["output"], result
    else:
        assert result["output"] == RESOURCE, result


def test_nothing_is_left_after_an_execution(driver, worker, package):
    assert execute(worker.url, package, "inspect_me.leave_a_daemon")["output"] == "left"
    group = worker_group(driver)
    deadline = time.monotonic() + 5
    while True:
        kept = [group.child(e) for e in sorted(os.listdir(group.dirs["pids"]))
                if e != "worker" and os.path.isdir(os.path.join(group.dirs["pids"], e))]
        leftovers = {pid for execution_group in kept for pid in execution_group.procs()}
        procs = group.child("worker").procs()
        if (not leftovers and len(procs) == 2) or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert leftovers == set()  # the daemon was killed with its execution's group
    assert len(kept) <= execlimits.KEPT_GROUPS  # emptied groups are kept for reuse, a few
    assert len(procs) == 2  # the worker's init and its runtime server


def test_a_stopped_worker_leaves_no_cgroup(tmp_path, host_facts):  # noqa: F811
    driver = LocalOrchestrator(str(tmp_path), RUNTIMES_DIR, facts=host_facts)
    driver.start_worker("rt", "python3", "fn-1", 0, "w-1")
    group = driver.workspace.parent.child("w-1")
    assert all(os.path.isdir(path) for path in group.paths)
    driver.stop_worker("w-1")
    assert not any(os.path.exists(path) for path in group.paths)
    driver.close()
    assert not any(os.path.exists(path) for path in driver.workspace.parent.paths)


def test_groups_of_a_dead_service_are_removed_at_start(tmp_path, host_facts):  # noqa: F811
    own = capabilities.assess(host_facts).cgroup
    stale = cgroups.Group(own["version"], own["dirs"]).child("qinling-999999999-abc123")
    stale.child("w-1").make()
    LocalOrchestrator(str(tmp_path), RUNTIMES_DIR, facts=host_facts).close()
    assert not any(os.path.exists(path) for path in stale.paths)
