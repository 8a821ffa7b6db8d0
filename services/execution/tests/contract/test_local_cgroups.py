"""The cgroup writer (qinling_sandbox/cgroups.py): v1 and v2 layouts, against temp dir trees."""
import os
import signal
import subprocess

import pytest

from qinling_execution.orchestrators.local.qinling_sandbox import cgroups, execlimits

PROC_CGROUP = """\
9:name=systemd:/
8:pids:/
4:memory:/process_api/abc
2:cpu,cpuacct:/svc
0::/user.slice/qinling.service
"""
MOUNTINFO = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""


def read(path):
    with open(path) as knob:
        return knob.read()


def test_own_groups_are_found_in_every_hierarchy():
    assert cgroups.own_cgroups(PROC_CGROUP, MOUNTINFO) == {
        "v1": {"memory": "/sys/fs/cgroup/memory/process_api/abc",
               "cpu": "/sys/fs/cgroup/cpu,cpuacct/svc", "pids": "/sys/fs/cgroup/pids"},
        "v2": "/sys/fs/cgroup/unified/user.slice/qinling.service"}


def test_a_mount_of_a_subtree_maps_our_path_under_its_root():
    # A container sees its own group mounted at the hierarchy's mount point.
    mountinfo = "35 31 0:32 /docker/c1 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    own = cgroups.own_cgroups("4:memory:/docker/c1/qinling\n", mountinfo)
    assert own["v1"] == {"memory": "/sys/fs/cgroup/memory/qinling"}
    outside = cgroups.own_cgroups("4:memory:/elsewhere\n", mountinfo)
    assert outside["v1"] == {}


def test_a_pure_v2_host():
    mountinfo = "30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
    assert cgroups.own_cgroups("0::/system.slice/q.service\n", mountinfo) == {
        "v1": {}, "v2": "/sys/fs/cgroup/system.slice/q.service"}


@pytest.mark.parametrize("version, expected", [
    (1, [("memory", "memory.limit_in_bytes", 1 << 25),
         ("memory", "memory.memsw.limit_in_bytes", 1 << 25),
         ("cpu", "cpu.cfs_period_us", 100000), ("cpu", "cpu.cfs_quota_us", 20000),
         ("pids", "pids.max", 64)]),
    (2, [("memory", "memory.max", 1 << 25), ("memory", "memory.swap.max", 0),
         ("cpu", "cpu.max", "20000 100000"), ("pids", "pids.max", 64)]),
])
def test_knobs_per_layout(version, expected):
    assert cgroups.knobs(version, memory=1 << 25, cpu=200, pids=64) == expected


def test_a_tiny_cpu_share_gets_the_smallest_quota_the_kernel_takes():
    assert cgroups.knobs(1, cpu=1) == [("cpu", "cpu.cfs_period_us", 100000),
                                       ("cpu", "cpu.cfs_quota_us", 1000)]


def test_v1_writes_each_controller_in_its_own_hierarchy(tmp_path):
    dirs = {c: str(tmp_path / c / "svc") for c in cgroups.CONTROLLERS}
    group = cgroups.Group(1, dirs).child("w-1")
    group.make()
    report = group.write_limits(memory=1 << 25, cpu=100, pids=32)
    assert set(report.values()) == {"ok"}
    assert read(tmp_path / "memory/svc/w-1/memory.limit_in_bytes") == str(1 << 25)
    assert read(tmp_path / "cpu/svc/w-1/cpu.cfs_quota_us") == "10000"
    assert read(tmp_path / "pids/svc/w-1/pids.max") == "32"
    group.join(1234)
    assert [read(tmp_path / c / "svc/w-1/cgroup.procs") for c in cgroups.CONTROLLERS] == [
        "1234"] * 3


def test_v2_writes_everything_in_one_directory_and_delegates_controllers(tmp_path):
    group = cgroups.Group(2, {c: str(tmp_path / "svc") for c in cgroups.CONTROLLERS})
    worker = group.child("w-1")
    worker.make()
    worker.enable_controllers()
    assert read(tmp_path / "svc/w-1/cgroup.subtree_control") == "+memory +cpu +pids"
    assert set(worker.write_limits(memory=1 << 25, cpu=300).values()) == {"ok"}
    assert read(tmp_path / "svc/w-1/cpu.max") == "30000 100000"
    assert read(tmp_path / "svc/w-1/memory.swap.max") == "0"
    worker.join()
    assert read(tmp_path / "svc/w-1/cgroup.procs") == "0"
    assert worker.paths == [str(tmp_path / "svc/w-1")]


@pytest.mark.parametrize("version, quota_file, refilled", [
    (1, "cpu/svc/x1/cpu.cfs_quota_us", "20000"), (2, "svc/x1/cpu.max", "20000 100000")])
def test_a_group_kept_open_refills_its_quota(tmp_path, version, quota_file, refilled):
    dirs = {c: str(tmp_path / (f"{c}/svc" if version == 1 else "svc"))
            for c in cgroups.CONTROLLERS}
    group = cgroups.Group(version, dirs).child("x1")
    group.make()
    group.keep_files_open()
    assert set(group.write_limits(memory=1 << 25, cpu=100, pids=32).values()) == {"ok"}
    if version == 1:
        os.remove(tmp_path / "cpu/svc/x1/cpu.cfs_period_us")  # the refill writes the quota only
    assert group.refill_cpu(200) is True
    assert read(tmp_path / quota_file) == refilled
    assert group.has_children() is False
    os.mkdir(os.path.join(group.paths[0], "nested"))
    assert group.has_children() is True


def test_failures_are_reported_per_file_never_raised(tmp_path):
    group = cgroups.Group(1, {"memory": str(tmp_path / "missing")})
    report = group.write_limits(memory=1 << 25, pids=10)
    assert report["memory.limit_in_bytes"].startswith("failed: ")
    assert report["pids.max"] == "failed: no pids controller"


def test_delegation_chowns_the_directory_and_the_named_files(tmp_path):
    group = cgroups.Group(2, {"memory": str(tmp_path / "w")})
    group.make()
    (tmp_path / "w/cgroup.procs").write_text("")
    group.chown(20042, 20042, v2_files=("cgroup.procs",))
    assert os.stat(tmp_path / "w").st_uid == 20042
    assert os.stat(tmp_path / "w/cgroup.procs").st_uid == 20042


def test_an_emptied_execution_group_is_reused_unless_something_moved_in(tmp_path):
    worker = cgroups.Group(1, {c: str(tmp_path / c / "w") for c in cgroups.CONTROLLERS})
    worker.make()
    limits = execlimits.ExecutionCgroups(worker)
    scope = limits.prepare(1 << 25, 100)
    first = scope.group
    scope.close()  # nothing ran in it: kept
    again = limits.prepare(1 << 25, 100)
    assert again.group is first
    again.close()
    assert limits.prepare(1 << 26, 100).group is not first
    with subprocess.Popen(["sleep", "60"]) as intruder:
        with open(os.path.join(first.dirs["pids"], "cgroup.procs"), "w") as procs:
            procs.write(f"{intruder.pid}\n")  # as if a process had moved into the kept group
        assert limits.prepare(1 << 25, 100).group is not first
        assert intruder.wait(timeout=10) == -signal.SIGKILL  # killed with the group
