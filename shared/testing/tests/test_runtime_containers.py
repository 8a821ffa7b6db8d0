"""A pod's worker container under ``docker run``: the translation of its spec, refusals of what
it cannot translate, and a container that never answers."""
import copy
import json
import os
import stat
import subprocess

import pytest

from qinling_testing.container_images import build_args_image
from qinling_testing.docker_engine import docker_client, ensure_running
from qinling_testing.runtime_containers import (
    RuntimeContainer, Untranslatable, docker_run_args, make_empty_dirs, millicpu,
    memory_bytes, worker_pod)

IMAGE = "qinling/runtime-python3:latest"
DIRS = {"packages": "/host/packages", "tmp": "/host/tmp"}


def test_the_driver_s_worker_gets_its_limits_and_confinement():
    container, pod = worker_pod(IMAGE)
    assert docker_run_args(container, pod, DIRS) == [
        "--expose", "9090",
        "--cpus", "0.25", "--cpu-shares", "256",
        "--memory", "67108864", "--memory-swap", "67108864",
        "--user", "10002:10002", "--group-add", "10002",
        "--security-opt", "no-new-privileges", "--read-only", "--cap-drop", "ALL",
        "--mount", "type=bind,source=/host/packages,target=/var/lib/runtime",
        "--mount", "type=bind,source=/host/tmp,target=/tmp",
        "--stop-timeout", "5",
        IMAGE]


@pytest.mark.parametrize("quantity, expected", [
    ("250m", 250), ("1", 1000), ("0.1", 100), ("1.5", 1500), (2, 2000), ("0.0005", 1)])
def test_cpu_quantities(quantity, expected):
    assert millicpu(quantity) == expected


@pytest.mark.parametrize("quantity, expected", [
    ("67108864", 2**26), (1024, 1024), ("64Mi", 2**26), ("1G", 10**9), ("2Ki", 2048)])
def test_memory_quantities(quantity, expected):
    assert memory_bytes(quantity) == expected


@pytest.mark.parametrize("resources, expected", [
    ({"limits": {"cpu": "1500m"}, "requests": {"cpu": "500m"}},
     ["--cpus", "1.5", "--cpu-shares", "512"]),
    ({"requests": {"cpu": "1m", "memory": "1Mi"}}, ["--cpu-shares", "2"]),
    ({"limits": {"memory": "1Gi"}}, ["--memory", "1073741824", "--memory-swap", "1073741824"]),
])
def test_cpu_shares_follow_the_request_and_memory_has_no_swap(resources, expected):
    assert docker_run_args({"image": IMAGE, "resources": resources}) == [*expected, IMAGE]


def test_the_container_s_security_context_wins_over_the_pod_s():
    pod = {"securityContext": {"runAsUser": 1000, "runAsGroup": 1000,
                               "seccompProfile": {"type": "RuntimeDefault"}}}
    container = {"image": IMAGE, "args": ["--port", "8080"],
                 "securityContext": {"runAsUser": 10002,
                                     "seccompProfile": {"type": "Unconfined"},
                                     "capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}}
    assert docker_run_args(container, pod) == [
        "--user", "10002:1000", "--cap-drop", "ALL", "--cap-add", "CHOWN",
        "--security-opt", "seccomp=unconfined", IMAGE, "--port", "8080"]


def _with(change):
    container, pod = copy.deepcopy(worker_pod(IMAGE))
    change(container, pod)
    return container, pod


@pytest.mark.parametrize("change, message", [
    (lambda c, p: c.update(env=[]), "container: no docker run translation for env"),
    (lambda c, p: c["resources"]["limits"].update({"ephemeral-storage": "1Gi"}),
     "resources.limits: no docker run translation for ephemeral-storage"),
    (lambda c, p: c["resources"]["limits"].update(memory="1.5Gi"),
     "memory quantity '1.5Gi'"),
    (lambda c, p: c["resources"]["limits"].update(cpu="1k"), "cpu quantity '1k'"),
    (lambda c, p: c["securityContext"].update(privileged=False),
     "securityContext: no docker run translation for privileged"),
    (lambda c, p: c["securityContext"]["capabilities"].update(ambient=[]),
     "securityContext.capabilities: no docker run translation for ambient"),
    (lambda c, p: c["securityContext"].update(seccompProfile={"type": "Localhost"}),
     "seccompProfile Localhost"),
    (lambda c, p: c["securityContext"].update(runAsUser=0), "runAsNonRoot needs a runAsUser"),
    (lambda c, p: (c["securityContext"].pop("runAsUser"), c["securityContext"].pop(
        "runAsGroup")), "runAsNonRoot needs a runAsUser"),
    (lambda c, p: (c["securityContext"].pop("runAsUser"),
                   c["securityContext"].pop("runAsNonRoot")), "runAsGroup without runAsUser"),
    (lambda c, p: c["ports"][0].update(protocol="UDP"), "ports[0]: only TCP"),
    (lambda c, p: c["ports"][0].update(hostPort=80),
     "ports[0]: no docker run translation for hostPort"),
    (lambda c, p: p.update(hostNetwork=True), "pod: no docker run translation for hostNetwork"),
    (lambda c, p: p["securityContext"].update(sysctls=[]),
     "pod.securityContext: no docker run translation for sysctls"),
    (lambda c, p: p["volumes"][0].update(emptyDir={"sizeLimit": "1Gi"}),
     "volume packages.emptyDir: no docker run translation for sizeLimit"),
    (lambda c, p: p["volumes"][0].update(emptyDir={"medium": "Memory"}),
     "volume packages: only the node's disk"),
    (lambda c, p: p["volumes"].__setitem__(0, {"name": "packages", "hostPath": {}}),
     "volume packages: no docker run translation for hostPath"),
    (lambda c, p: c["volumeMounts"][0].update(subPath="x"),
     "volumeMount packages: no docker run translation for subPath"),
    (lambda c, p: c["volumeMounts"].append({"name": "other", "mountPath": "/o"}),
     "volumeMount other: not an emptyDir of the pod"),
])
def test_what_cannot_be_translated_is_refused(change, message):
    container, pod = _with(change)
    with pytest.raises(Untranslatable) as refused:
        docker_run_args(container, pod, DIRS)
    assert message in str(refused.value)


def test_an_empty_dir_needs_its_host_directory():
    container, pod = worker_pod(IMAGE)
    with pytest.raises(Untranslatable, match="volumeMount tmp: no host directory given"):
        docker_run_args(container, pod, {"packages": "/host/packages"})


def test_empty_dirs_are_made_as_the_kubelet_makes_them(tmp_path):
    _, pod = worker_pod(IMAGE)
    made = make_empty_dirs(pod, tmp_path)
    assert made == {"packages": str(tmp_path / "packages"), "tmp": str(tmp_path / "tmp")}
    for path in made.values():
        info = os.stat(path)
        assert (info.st_uid, info.st_gid) == (0, 10002)
        assert stat.S_IMODE(info.st_mode) == 0o2777


@pytest.fixture(scope="module")
def args_image():
    """The tests' tiny image (``container_images``): prints its arguments, sleeps if told."""
    ensure_running()
    return build_args_image()


def _docker(*args):
    return subprocess.run([docker_client(), *args], capture_output=True, text=True,
                          timeout=60)


def test_the_engine_takes_the_translation_as_meant(args_image, tmp_path):
    container, pod = worker_pod(args_image)
    created = _docker("create", *docker_run_args(container, pod, make_empty_dirs(pod, tmp_path)))
    assert created.returncode == 0, created.stderr
    name = created.stdout.strip()
    try:
        host = json.loads(_docker("inspect", "-f", "{{json .HostConfig}}", name).stdout)
        user = _docker("inspect", "-f", "{{.Config.User}}", name).stdout.strip()
    finally:
        _docker("rm", "--force", name)
    assert (host["NanoCpus"], host["CpuShares"]) == (250_000_000, 256)
    assert (host["Memory"], host["MemorySwap"]) == (2**26, 2**26)
    assert (user, host["GroupAdd"]) == ("10002:10002", ["10002"])
    assert (host["ReadonlyRootfs"], host["CapDrop"]) == (True, ["ALL"])
    assert host["SecurityOpt"] == ["no-new-privileges"]
    assert sorted(mount["Target"] for mount in host["Mounts"]) == ["/tmp", "/var/lib/runtime"]


@pytest.mark.parametrize("args, failure", [
    (["exit", "3"], "exited"), (["sleep", "60"], "did not answer GET /ping in 1 s")])
def test_a_container_that_never_answers_is_removed_and_its_logs_shown(args_image, args,
                                                                     failure):
    container, pod = worker_pod(args_image)
    container["args"] = args
    with pytest.raises(AssertionError) as failed:
        RuntimeContainer.start(container, pod, timeout=1)
    message = str(failed.value)
    assert failure in message
    assert message.endswith(f"its logs:\n{args[0]}\n{args[1]}\n")
    name = message.split()[2]
    assert _docker("inspect", name).returncode != 0
    assert not any(entry.startswith(name) for entry in os.listdir("/tmp"))
