"""Every object of ``k8s/``, as ``kubectl kustomize`` renders each overlay, validates strictly
(kubernetes-validate: unknown fields, removed APIs and misplaced ones fail) against Kubernetes
1.30 and the newest release it knows; and the manifests keep what docs/deploy.md promises:
probes and resource requests on every container, non-root pods, the execution service's
rights in the functions' namespace only, functions' pods isolated."""
import copy
import os
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
OVERLAYS = sorted(path.name for path in (REPO / "k8s" / "overlays").iterdir())
SCHEMAS = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
NEWEST = max((name[1:].removesuffix("-local-strict") for name in os.listdir(SCHEMAS)
              if name.endswith("-local-strict")),
             key=lambda version: tuple(map(int, version.split("."))))
VERSIONS = ("1.30.0", NEWEST)
KINDS = {"Namespace", "ServiceAccount", "Role", "RoleBinding", "NetworkPolicy", "ConfigMap",
         "Secret", "PersistentVolumeClaim", "Deployment", "StatefulSet", "Service"}
SERVICES = {"qinling-api", "qinling-function", "qinling-execution", "qinling-trigger",
            "qinling-storage"}


def rendered(overlay):
    done = subprocess.run(["kubectl", "kustomize", str(REPO / "k8s" / "overlays" / overlay)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return [document for document in yaml.safe_load_all(done.stdout) if document]


def workloads(documents):
    return [d for d in documents if d["kind"] in ("Deployment", "StatefulSet")]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_validates_strictly(overlay, version):
    documents = rendered(overlay)
    assert KINDS <= {document["kind"] for document in documents}
    for document in documents:
        kubernetes_validate.validate(document, version, strict=True)


def test_strict_validation_refuses_what_kubernetes_would_ignore():
    deployment = next(d for d in rendered("dev") if d["kind"] == "Deployment")
    misplaced = copy.deepcopy(deployment)   # Qinling's pod.j2 bug: resources on the pod
    misplaced["spec"]["template"]["spec"]["resources"] = {"limits": {"memory": "64Mi"}}
    removed = {**copy.deepcopy(deployment), "apiVersion": "extensions/v1beta1"}
    with pytest.raises(kubernetes_validate.utils.ValidationError):
        kubernetes_validate.validate(misplaced, VERSIONS[0], strict=True)
    with pytest.raises(kubernetes_validate.utils.SchemaNotFoundError):  # no such API now
        kubernetes_validate.validate(removed, VERSIONS[0], strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_probes_requests_and_no_root(overlay):
    documents = rendered(overlay)
    assert SERVICES <= {d["metadata"]["name"] for d in documents if d["kind"] == "Deployment"}
    assert {"rabbitmq", "postgresql", "etcd"} <= {
        d["metadata"]["name"] for d in documents if d["kind"] == "StatefulSet"}
    for workload in workloads(documents):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, workload["metadata"]["name"]
        for container in pod["containers"]:
            assert container["readinessProbe"] and container["livenessProbe"], container["name"]
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_the_execution_service_may_act_in_the_functions_namespace_only():
    documents = rendered("dev")
    roles = [d for d in documents if d["kind"] in ("Role", "RoleBinding")]
    assert roles and {d["metadata"]["namespace"] for d in roles} == {"qinling-functions"}
    assert not [d for d in documents if d["kind"].startswith("Cluster")]
    binding = next(d for d in roles if d["kind"] == "RoleBinding")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "qinling-execution",
                                    "namespace": "qinling"}]
    pods = {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in workloads(documents)}
    assert pods["qinling-execution"]["serviceAccountName"] == "qinling-execution"
    others = [name for name, pod in pods.items() if name != "qinling-execution"]
    assert all(pods[name].get("automountServiceAccountToken") is False for name in others)



def test_functions_pods_take_requests_from_the_execution_service_only():
    policy = next(d for d in rendered("dev") if d["kind"] == "NetworkPolicy"
                  and d["metadata"]["namespace"] == "qinling-functions")
    assert policy["spec"]["podSelector"] == {}   # every pod there, whoever labelled it
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    [rule] = policy["spec"]["ingress"]
    [peer] = rule["from"]
    assert peer["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "qinling-execution"}
