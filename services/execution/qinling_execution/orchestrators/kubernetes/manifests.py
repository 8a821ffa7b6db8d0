"""Pure builders of the objects the kubernetes orchestrator sends (the API's JSON, current
APIs only: ``apps/v1`` Deployments, ``v1`` Pods, ``networking.k8s.io/v1`` NetworkPolicies).

- A runtime's **pool** is the Deployment ``runtime-<runtime id>`` of the runtime's image: its
  pods are spares, labelled ``qinling.io/pool``. A worker is taken from them by relabelling
  (the Deployment then replaces it) or, when none fits, created as a pod of its own.
- A **worker** is a pod labelled ``qinling.io/worker=<worker name>`` (and, once bound,
  ``qinling.io/function`` and ``qinling.io/version``), reached at its pod IP on port 9090: no
  Service, no NodePort. Its container has the function's cpu and memory as requests and
  limits (on the container: there is no pod-level ``resources``), runs as the runtime image's
  unprivileged user with no capabilities, no privilege escalation, a read-only root with
  ``emptyDir`` volumes for the package cache and ``/tmp``, and no service-account token.
- An **image function's run** is the pod ``qinling-<execution id>`` of the function's image,
  ``restartPolicy: Never``, labelled ``qinling.io/execution``.
- The network policy ``qinling-workers`` lets the pods of this namespace take requests only
  from the execution service, and reach neither each other nor the control plane.
"""
from qinling_execution.orchestrators.base import container_name
from qinling_execution.orchestrators.kubernetes.resources import container_resources

PORT = 9090
RUNTIME_UID = 10002  # the runtime images' user (runtimes/*/Dockerfile)
MANAGED_BY = "app.kubernetes.io/managed-by"
RUNTIME = "qinling.io/runtime"
POOL = "qinling.io/pool"
WORKER = "qinling.io/worker"
FUNCTION = "qinling.io/function"
VERSION = "qinling.io/version"
EXECUTION = "qinling.io/execution"
MANAGER = "qinling"
NETWORK_POLICY = "qinling-workers"
CONTROL_PLANE = {"app.kubernetes.io/name": "qinling-execution"}
STORAGE = {"app.kubernetes.io/name": "qinling-storage"}
STORAGE_PORT = 7071
# the cluster's and the cloud's own addresses: private ranges, shared address space (some
# clusters' pods), and link-local (the metadata service at 169.254.169.254)
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                  "169.254.0.0/16")


def pool_name(runtime_id):
    return f"runtime-{runtime_id}"


def worker_selector(name=None):
    """The label selector of every worker pod, or of the worker ``name``."""
    return f"{MANAGED_BY}={MANAGER},{WORKER}" + (f"={name}" if name else "")


def pool_selector(runtime_id):
    return f"{POOL}={runtime_id}"


EXECUTION_SELECTOR = f"{MANAGED_BY}={MANAGER},{EXECUTION}"


def worker_container(image, cpu, memory_size):
    """The runtime server's container, with the function's limits."""
    return {
        "name": "runtime",
        "image": image,
        "ports": [{"name": "worker", "containerPort": PORT, "protocol": "TCP"}],
        "resources": container_resources(cpu, memory_size),
        "readinessProbe": {"httpGet": {"path": "/ping", "port": PORT},
                           "periodSeconds": 2, "failureThreshold": 2},
        "securityContext": _container_security(),
        "volumeMounts": [{"name": "packages", "mountPath": "/var/lib/runtime"},
                         {"name": "tmp", "mountPath": "/tmp"}],
    }


def worker_pod_spec(image, cpu, memory_size):
    return {
        "containers": [worker_container(image, cpu, memory_size)],
        "volumes": [{"name": "packages", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}],
        "securityContext": _pod_security(),
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 5,
    }


def worker_labels(runtime_id, name, function_id=None, version=None):
    labels = {MANAGED_BY: MANAGER, RUNTIME: runtime_id, WORKER: name}
    if function_id is not None:
        labels.update({FUNCTION: function_id, VERSION: str(version)})
    return labels


def worker_pod(runtime_id, image, name, cpu, memory_size, function_id=None, version=None):
    """A worker's own pod (none of the pool's fitted): named after the worker."""
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"generateName": f"{name[:50]}-",
                     "labels": worker_labels(runtime_id, name, function_id, version)},
        "spec": worker_pod_spec(image, cpu, memory_size),
    }


def claim(pod, runtime_id, name, function_id=None, version=None):
    """The merge patch that takes a pool's pod as the worker ``name``: out of the pool (the
    Deployment replaces it), owned by nobody, and only if nobody took it meanwhile."""
    labels = {POOL: None, **worker_labels(runtime_id, name, function_id, version)}
    return {"metadata": {"labels": labels, "ownerReferences": None,
                         "resourceVersion": pod["metadata"]["resourceVersion"]}}


def bind(pod, function_id, version):
    """The merge patch that binds an idle worker's pod to a function version."""
    return {"metadata": {"labels": {FUNCTION: function_id, VERSION: str(version)},
                         "resourceVersion": pod["metadata"]["resourceVersion"]}}


def pool_deployment(runtime_id, image, replicas, cpu, memory_size, progress_deadline):
    """The pool of a runtime: ``replicas`` spare workers with the default limits, updated
    one pod at a time (a new pod is ready before an old one goes)."""
    labels = {MANAGED_BY: MANAGER, RUNTIME: runtime_id, POOL: runtime_id}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": pool_name(runtime_id),
                     "labels": {MANAGED_BY: MANAGER, RUNTIME: runtime_id}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {POOL: runtime_id}},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "progressDeadlineSeconds": progress_deadline,
            "revisionHistoryLimit": 2,
            "template": {"metadata": {"labels": labels},
                         "spec": worker_pod_spec(image, cpu, memory_size)},
        },
    }


def pool_image_patch(image, cpu, memory_size):
    """The merge patch that moves a pool to another image (a rolling update)."""
    return {"spec": {"template": {"spec": {
        "containers": [worker_container(image, cpu, memory_size)]}}}}


def image_pod(run):
    """The pod of one run of an image function (``base.ImageRun``)."""
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": container_name(run.execution_id),
                     "labels": {MANAGED_BY: MANAGER, EXECUTION: run.execution_id,
                                FUNCTION: run.function_id}},
        "spec": {
            "containers": [{"name": "function", "image": run.image, "args": list(run.args),
                            "resources": container_resources(run.cpu, run.memory_size),
                            "securityContext": {"allowPrivilegeEscalation": False,
                                                "capabilities": {"drop": ["ALL"]}}}],
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "terminationGracePeriodSeconds": 0,
        },
    }


def network_policy(egress_except=PRIVATE_RANGES):
    """Ingress to the workers' port from the execution service only; egress to the storage
    service (packages), DNS, and addresses outside ``egress_except`` (the cluster's)."""
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": NETWORK_POLICY, "labels": {MANAGED_BY: MANAGER}},
        "spec": {
            "podSelector": {"matchLabels": {MANAGED_BY: MANAGER}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"namespaceSelector": {}, "podSelector":
                                   {"matchLabels": dict(CONTROL_PLANE)}}],
                         "ports": [{"protocol": "TCP", "port": PORT}]}],
            "egress": [
                {"to": [{"namespaceSelector": {},
                         "podSelector": {"matchLabels": dict(STORAGE)}}],
                 "ports": [{"protocol": "TCP", "port": STORAGE_PORT}]},
                {"to": [{"namespaceSelector": {},
                         "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                 "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
                {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": list(egress_except)}}]},
            ],
        },
    }


def _container_security():
    return {"runAsNonRoot": True, "runAsUser": RUNTIME_UID, "runAsGroup": RUNTIME_UID,
            "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]}}


def _pod_security():
    return {"fsGroup": RUNTIME_UID, "seccompProfile": {"type": "RuntimeDefault"}}
