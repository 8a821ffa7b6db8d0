"""What the kubernetes orchestrator sends validates strictly against Kubernetes 1.30 and the
newest release kubernetes-validate knows, with the limits on the container (never the pod),
current APIs only, and the pods' hardening; the validation itself refuses what Kubernetes
would ignore (a control)."""
import os
from pathlib import Path

import kubernetes_validate
import pytest

from qinling_execution.orchestrators import ImageRun
from qinling_execution.orchestrators.kubernetes import manifests
from qinling_execution.orchestrators.kubernetes.resources import container_resources

SCHEMAS = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
NEWEST = max((name[1:].removesuffix("-local-strict") for name in os.listdir(SCHEMAS)
              if name.endswith("-local-strict")),
             key=lambda version: tuple(map(int, version.split("."))))
VERSIONS = ("1.30.0", NEWEST)
RUN = ImageRun(execution_id="0b9d3c1e-8f3a-4c2e-9a57-1f2e3d4c5b6a", function_id="fn-1",
               image="example/thumbnail:1", args=("resize", "64"), cpu=250,
               memory_size=67108864, timeout=30)


def every_object():
    worker = manifests.worker_pod("rt-1", "qinling/runtime-python3:1", "w-1", 250, 67108864,
                                  "fn-1", 2)
    worker["metadata"]["name"] = "w-1-abcde"   # the API server fills it from generateName
    return {
        "pool": manifests.pool_deployment("rt-1", "qinling/runtime-python3:1", 3, 100,
                                          33554432, 120),
        "worker": worker,
        "image run": manifests.image_pod(RUN),
        "network policy": manifests.network_policy(),
    }


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", sorted(every_object()))
def test_every_object_validates_strictly(name, version):
    kubernetes_validate.validate(every_object()[name], version, strict=True)


@pytest.mark.parametrize("misplaced", [
    ("a pod-level resources", lambda pod: pod["spec"].update(
        resources=container_resources(100, 33554432))),
    ("an unknown field", lambda pod: pod["spec"]["containers"][0].update(imagePullPolicyy="x")),
    ("a removed API", lambda pod: pod.update(apiVersion="extensions/v1beta1",
                                             kind="Deployment")),
])
def test_strict_validation_against_1_30_refuses_what_kubernetes_would_ignore(misplaced):
    pod = every_object()["worker"]
    misplaced[1](pod)
    # a removed API has no schema at all: kubernetes-validate cannot find one
    with pytest.raises((kubernetes_validate.ValidationError,
                        kubernetes_validate.SchemaNotFoundError, FileNotFoundError)):
        kubernetes_validate.validate(pod, "1.30.0", strict=True)


def test_only_current_apis_are_used():
    assert {(o["apiVersion"], o["kind"]) for o in every_object().values()} == {
        ("apps/v1", "Deployment"), ("v1", "Pod"), ("networking.k8s.io/v1", "NetworkPolicy")}


def test_a_workers_limits_are_its_containers_requests_and_limits():
    pod = every_object()["worker"]
    [container] = pod["spec"]["containers"]
    assert container["resources"] == {"requests": {"cpu": "250m", "memory": "67108864"},
                                      "limits": {"cpu": "250m", "memory": "67108864"}}
    assert "resources" not in pod["spec"]
    assert pod["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "qinling", "qinling.io/runtime": "rt-1",
        "qinling.io/worker": "w-1", "qinling.io/function": "fn-1", "qinling.io/version": "2"}


def test_worker_pods_are_hardened_and_probed():
    for pod_spec in (every_object()["worker"]["spec"],
                     every_object()["pool"]["spec"]["template"]["spec"]):
        [container] = pod_spec["containers"]
        security = container["securityContext"]
        assert security["runAsNonRoot"] and security["runAsUser"] == 10002
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] and security["capabilities"] == {
            "drop": ["ALL"]}
        assert pod_spec["automountServiceAccountToken"] is False
        assert container["readinessProbe"]["httpGet"] == {"path": "/ping", "port": 9090}
        assert {m["mountPath"] for m in container["volumeMounts"]} == {"/var/lib/runtime",
                                                                       "/tmp"}


def test_a_pool_rolls_one_new_pod_in_before_an_old_one_goes():
    pool = every_object()["pool"]["spec"]
    assert pool["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    assert pool["selector"]["matchLabels"].items() <= pool["template"]["metadata"][
        "labels"].items()
    assert pool["template"]["spec"]["containers"][0]["resources"] == container_resources(
        100, 33554432)


def test_an_image_run_is_one_pod_with_the_runs_limits_and_arguments():
    pod = every_object()["image run"]
    assert pod["metadata"]["name"] == f"qinling-{RUN.execution_id}"
    [container] = pod["spec"]["containers"]
    assert (container["image"], container["args"]) == ("example/thumbnail:1", ["resize", "64"])
    assert container["resources"] == container_resources(250, 67108864)
    assert pod["spec"]["restartPolicy"] == "Never"
    assert pod["spec"]["automountServiceAccountToken"] is False


def test_the_network_policy_admits_the_execution_service_only():
    policy = every_object()["network policy"]["spec"]
    assert policy["podSelector"] == {"matchLabels": {"app.kubernetes.io/managed-by": "qinling"}}
    [rule] = policy["ingress"]
    assert rule["from"][0]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "qinling-execution"}
    assert rule["ports"] == [{"protocol": "TCP", "port": 9090}]
    open_egress = policy["egress"][-1]["to"][0]["ipBlock"]
    assert {"10.0.0.0/8", "169.254.0.0/16"} <= set(open_egress["except"])  # the metadata too
