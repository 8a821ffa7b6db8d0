"""What the local driver reports and plans from the host probe's facts (capabilities.py), and
how the driver acts on it (``probe()``, ``require_isolation``), without starting workers."""
import copy

import pytest
from local_harness import execute, host_facts  # noqa: F401 - a fixture

from qinling_execution.orchestrators.local import capabilities
from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_shared.exceptions import Unavailable
from qinling_testing.runtime_servers import RUNTIMES_DIR

FULL = {
    "root": True,
    "cgroups": {"v1": {c: {"dir": f"/cg/{c}", "writable": True}
                       for c in ("memory", "cpu", "pids")},
                "v2": {"dir": "/cg/unified", "controllers": [], "writable": "no controllers"}},
    "namespaces": {n: True for n in ("mount", "pid", "net", "ipc", "uts", "user")},
    "network_isolation": True, "pivot_root": True, "landlock_abi": 7, "uid_switch": True,
    "rlimit_hard": {"nofile": 20000, "nproc": 96364, "fsize": None, "as": None, "cpu": None},
}


def degraded(**changes):
    facts = copy.deepcopy(FULL)
    facts.update(changes)
    return facts


def test_a_capable_host_enforces_every_limit():
    assessment = capabilities.assess(FULL)
    assert list(assessment.enforced) == list(capabilities.LIMITS)
    assert assessment.not_enforced == {} and assessment.allowed == {}
    assert assessment.cgroup == {"version": 1, "dirs": {
        "memory": "/cg/memory", "cpu": "/cg/cpu", "pids": "/cg/pids"}}
    assert (assessment.fs, assessment.isolate_network, assessment.switch_uid) == (
        "pivot_root", True, True)
    assert assessment.namespaces == ("pid", "mount", "ipc", "uts")
    assert capabilities.missing_message(assessment) is None


def test_usable_v2_controllers_are_preferred():
    facts = degraded(cgroups={"v1": FULL["cgroups"]["v1"], "v2": {
        "dir": "/cg/svc", "controllers": ["memory", "cpu", "pids"], "writable": True}})
    assessment = capabilities.assess(facts)
    assert assessment.cgroup == {"version": 2, "dirs": dict.fromkeys(("memory", "cpu", "pids"),
                                                                      "/cg/svc")}
    assert assessment.enforced["memory"].startswith("cgroup v2 ")


def test_no_cgroup_leaves_memory_and_cpu_unenforced_and_pids_to_the_uid():
    assessment = capabilities.assess(degraded(cgroups={"v1": {}, "v2": None}))
    assert set(assessment.not_enforced) == {"memory", "cpu"}
    assert assessment.enforced["pids"] == "RLIMIT_NPROC under the function's uid"
    assert assessment.cgroup is None


def test_without_root_there_is_no_uid_nproc_or_private_root_but_landlock():
    facts = degraded(root=False, uid_switch="not root", pivot_root="PermissionError: ...",
                     cgroups={"v1": {}, "v2": None}, network_isolation="PermissionError: x",
                     namespaces=dict.fromkeys(("mount", "pid", "net", "ipc", "uts"), "EPERM"))
    assessment = capabilities.assess(facts)
    assert set(assessment.not_enforced) == {"memory", "cpu", "pids", "nproc", "network", "uid"}
    assert assessment.enforced["fs"] == "Landlock ABI 7: other files are EACCES"
    assert (assessment.fs, assessment.namespaces, assessment.switch_uid) == ("landlock", (), False)
    message = capabilities.missing_message(assessment)
    assert message.startswith("Refusing to start a worker: [local] require_isolation is set")
    for limit in ("memory", "cpu", "pids", "nproc", "network", "uid"):
        assert f"{limit}: " in message


def test_nothing_for_the_file_system_without_mount_namespace_and_landlock():
    facts = degraded(pivot_root="EPERM", landlock_abi=0)
    assert "fs" in capabilities.assess(facts).not_enforced


def test_an_allowed_network_is_neither_enforced_nor_missing():
    assessment = capabilities.assess(FULL, allow_network=True)
    assert "network" not in assessment.enforced and "network" not in assessment.not_enforced
    assert assessment.allowed == {"network": "[local] allow_network = true"}
    assert assessment.isolate_network is False
    assert capabilities.missing_message(assessment) is None


def test_a_low_hard_nofile_limit_is_reported_as_clamped():
    facts = degraded(rlimit_hard={"nofile": 512})
    assert capabilities.assess(facts).enforced["nofile"] == (
        "RLIMIT_NOFILE (clamped to the hard limit 512)")


def test_a_failed_probe_enforces_only_what_rlimits_give():
    assessment = capabilities.assess({"error": "the probe exited with 1"})
    assert set(assessment.enforced) == {"nofile", "fsize"}


def test_function_uids_are_stable_and_in_their_range():
    uids = {capabilities.function_uid(f"fn-{n}") for n in range(200)}
    assert capabilities.function_uid("fn-1") == capabilities.function_uid("fn-1")
    assert all(20000 <= uid < 30000 for uid in uids) and len(uids) > 190


def test_the_worker_plan_carries_the_assessment():
    plan = capabilities.worker_plan(capabilities.assess(FULL), "w-1", "python3", None,
                                    "/state/workers/w-1", "/rt/python3", "server.py",
                                    "/usr/bin/python3", (), 1024, True)
    assert plan["namespaces"] == ["pid", "mount", "ipc", "uts"]
    assert (plan["runtime_dir"], plan["server"], plan["executable"]) == (
        "/rt/python3", "server.py", "/usr/bin/python3")
    assert (plan["fs"], plan["isolate_network"], plan["strict"]) == ("pivot_root", True, True)
    assert (plan["root_dir"], plan["packages_dir"], plan["tmp_dir"]) == (
        "/state/workers/w-1/root", "/state/workers/w-1/packages", "/state/workers/w-1/tmp")
    assert "uid" not in plan  # learnt when the worker is bound


def test_this_host_is_probed_as_capable(host_facts):  # noqa: F811
    assert capabilities.assess(host_facts).not_enforced == {}


def test_the_driver_reports_its_probe(tmp_path, host_facts):  # noqa: F811
    driver = LocalOrchestrator(str(tmp_path), RUNTIMES_DIR, facts=host_facts, allow_network=True)
    report = driver.probe()
    assert report["driver"] == "local"
    assert report["isolation"] == [limit for limit in capabilities.LIMITS if limit != "network"]
    assert report["allowed"] == {"network": "[local] allow_network = true"}
    assert report["namespaces"] == ["pid", "mount", "ipc", "uts"]
    driver.close()


def test_the_driver_probes_the_host_itself(tmp_path):
    driver = LocalOrchestrator(str(tmp_path), RUNTIMES_DIR)
    assert driver.probe()["not_enforced"] == {} and driver.probe()["probe_error"] is None
    driver.close()


def test_required_isolation_refuses_workers_naming_what_is_missing(tmp_path):
    facts = degraded(network_isolation="OSError: no netns", cgroups={"v1": {}, "v2": None})
    driver = LocalOrchestrator(str(tmp_path), RUNTIMES_DIR, facts=facts, require_isolation=True)
    with pytest.raises(Unavailable, match=r"require_isolation.*memory: .*cpu: .*network: "):
        driver.start_worker("rt-1", "python3", "fn-1", 0, "w-1")
    with pytest.raises(Unavailable, match="require_isolation"):
        driver.start_idle_worker("rt-1", "python3", "w-2")
    assert driver.list_workers() == []
    assert driver.probe()["require_isolation"] is True
    driver.close()


def test_settings_reach_the_driver(tmp_path):
    driver = LocalOrchestrator.from_settings({
        "state_dir": str(tmp_path), "require_isolation": True, "allow_network": True,
        "node_executable": "/opt/node", "runtimes_dir": str(RUNTIMES_DIR)})
    assert (driver.require_isolation, driver.node) == (True, "/opt/node")
    assert driver.runtime_dirs["nodejs"] == str(RUNTIMES_DIR / "nodejs")
    assert driver.assessment.allowed == {"network": "[local] allow_network = true"}
    driver.close()


def test_a_host_offering_nothing_still_runs_functions(tmp_path, package_server):
    """Degraded, never broken: no probe facts, so no cgroup, namespace, root or uid switch."""
    package = package_server.add("hello.zip", {"hello.py": "def main():\n    return 'hi'\n"})
    driver = LocalOrchestrator(str(tmp_path), RUNTIMES_DIR,
                               facts={"error": "the probe exited with 1"})
    try:
        assert driver.probe()["isolation"] == ["nofile", "fsize"]
        worker = driver.start_worker("rt-1", "python3", "fn-1", 0, "w-1")
        assert execute(worker.url, package, "hello.main")["output"] == "hi"
    finally:
        driver.close()


def test_leftovers_of_a_previous_run_are_removed_at_start(tmp_path, host_facts):  # noqa: F811
    stale = tmp_path / "workers" / "w-old" / "packages"
    stale.mkdir(parents=True)
    LocalOrchestrator(str(tmp_path), RUNTIMES_DIR, facts=host_facts).close()
    assert list((tmp_path / "workers").iterdir()) == []
