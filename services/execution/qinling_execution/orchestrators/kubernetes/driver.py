"""KubernetesOrchestrator: workers are pods in one namespace of a Kubernetes cluster.

A runtime's pool is a Deployment of its image (``manifests``) whose ``replicas`` pods are
spares with the default limits. A worker whose limits are those is a spare taken from the
pool (relabelled, with the pod's resourceVersion as a precondition so two replicas of the
execution service never take the same one; the Deployment replaces it), else a pod of its
own with the function's limits, awaited until it is Ready (its readiness probe answers
``/ping``). Workers are reached at their pod IP. A new image of a pool is a rolling update:
when its first new pod cannot pull or start the image, the pool is rolled back to the image
it had and the update is refused. Image functions run as pods (``image_pods``).
"""
import threading

from qinling_shared.exceptions import Conflict, InvalidInput, NotFound, Unavailable

from qinling_execution.orchestrators.base import (
    Limits, Orchestrator, PoolInfo, Worker, check_worker_name)
from qinling_execution.orchestrators.kubernetes import (
    awaiting, connection, image_pods, manifests, pod_states)
from qinling_execution.orchestrators.kubernetes.kube_api import AlreadyExists, KubeApi, Stale
from qinling_execution.orchestrators.kubernetes.resources import (
    container_resources, worker_size)

DEFAULT_START_TIMEOUT = 120  # seconds: a pod may pull its image first
STOP_GRACE = 1               # seconds a stopped worker's server has to end


class KubernetesOrchestrator(Orchestrator):
    def __init__(self, api, replicas=3, start_timeout=DEFAULT_START_TIMEOUT,
                 default_limits=Limits(cpu=100, memory_size=33554432), concurrency=1, host=""):
        self.api = api
        self.replicas = replicas
        self.concurrency = concurrency
        self.start_timeout = start_timeout
        self.default_limits = default_limits
        self.host = host
        self.images = image_pods.ImagePods(api, start_timeout)
        self._started = set()      # worker names this driver started or took
        self._policy = False       # the network policy is applied
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings):
        """Keys: ``namespace`` and the connection's (``connection``: ``kube_host``,
        ``use_api_certificate``, ``ssl_ca_cert``, ``cert_file``, ``key_file``,
        ``in_cluster``), ``replicas``, ``worker_start_timeout``, ``default_cpu`` and
        ``default_memory`` (the pool's limits), ``function_concurrency`` (the runs a worker
        serves at once: its container is sized for them, ``resources.worker_size``)."""
        limits = Limits(cpu=settings.get("default_cpu") or 100,
                        memory_size=settings.get("default_memory") or 33554432)
        api = KubeApi(connection.api_client(settings), settings["namespace"])
        return cls(api, replicas=settings.get("replicas", 3),
                   start_timeout=settings.get("worker_start_timeout") or DEFAULT_START_TIMEOUT,
                   default_limits=limits, concurrency=settings.get("function_concurrency") or 1,
                   host=api.core.api_client.configuration.host)

    # -- pools --------------------------------------------------------------------------------

    def create_pool(self, runtime_id, image):
        self._apply_network_policy()
        name = manifests.pool_name(runtime_id)
        current = self.api.read_deployment(name)
        if current is None:
            try:
                self.api.create_deployment(manifests.pool_deployment(
                    runtime_id, image, self.replicas, *self._size(self.default_limits),
                    self.start_timeout))
                return self._await_rollout(runtime_id, image, previous=None)
            except AlreadyExists:  # another replica made it meanwhile
                current = self.api.read_deployment(name)
        previous = pod_states.image(current["spec"]["template"])
        if previous != image:
            self.api.patch_deployment(name, manifests.pool_image_patch(
                image, *self._size(self.default_limits)))
            self._await_rollout(runtime_id, image, previous)

    def delete_pool(self, runtime_id):
        self.api.delete_deployment(manifests.pool_name(runtime_id))
        for pod in self._worker_pods(runtime_id):
            self._delete(pod)

    def pool_info(self, runtime_id):
        if self.api.read_deployment(manifests.pool_name(runtime_id)) is None:
            raise NotFound(f"Runtime pool {runtime_id} not found.")
        workers = [_worker(pod) for pod in self._worker_pods(runtime_id)]
        return PoolInfo(total=len(workers), available=sum(1 for w in workers if w.idle))

    def _await_rollout(self, runtime_id, image, previous):
        """Return once a pod of the pool runs ``image``; when none can, roll the pool back
        to ``previous`` (or delete a new pool) and refuse the image."""
        if not self.replicas:
            return
        try:
            failure = awaiting.pods(self.api, manifests.pool_selector(runtime_id),
                                    _first_pod_of(image), self.start_timeout)
        except awaiting.TimedOut:
            failure = f"no pod of it was ready within {self.start_timeout} s"
        if failure is True:
            return
        if previous is None:
            self.api.delete_deployment(manifests.pool_name(runtime_id))
            raise InvalidInput(f"Image {image} cannot run on Kubernetes: {failure}.")
        self.api.patch_deployment(manifests.pool_name(runtime_id), manifests.pool_image_patch(
            previous, *self._size(self.default_limits)))
        raise InvalidInput(f"Image {image} cannot run on Kubernetes: {failure}. The pool of "
                           f"runtime {runtime_id} was rolled back to {previous}.")

    # -- workers ------------------------------------------------------------------------------

    def start_worker(self, runtime_id, image, function_id, function_version, name,
                     limits=None):
        check_worker_name(name)
        existing = self._find(name)
        if existing is not None:
            return _same(existing, name, function_id, function_version)
        self.create_pool(runtime_id, image)
        limits = limits or self.default_limits
        return (self._take_spare(runtime_id, image, name, limits, function_id,
                                 function_version)
                or self._start(runtime_id, image, name, limits, function_id, function_version))

    def start_idle_worker(self, runtime_id, image, name):
        check_worker_name(name)
        existing = self._find(name)
        if existing is not None:
            return _worker(existing)
        self.create_pool(runtime_id, image)
        limits = self.default_limits
        return (self._take_spare(runtime_id, image, name, limits)
                or self._start(runtime_id, image, name, limits))

    def bind_worker(self, name, function_id, function_version, limits=None):
        for _ in range(3):  # another writer may change the pod between read and patch
            pod = self._find(name)
            if pod is None:
                raise NotFound(f"Worker {name} not found.")
            if not _worker(pod).idle:
                return _same(pod, name, function_id, function_version)
            limits = limits or self.default_limits
            if pod_states.resources(pod) != container_resources(*self._size(limits)):
                # a running pod's limits cannot change: one with the function's replaces it
                self._delete(pod)
                return self._start(_worker(pod).runtime_id, pod_states.image(pod), name,
                                   limits, function_id, function_version)
            try:
                bound = self.api.patch_pod(pod["metadata"]["name"],
                                           manifests.bind(pod, function_id, function_version))
            except Stale:
                continue
            if bound is None:
                raise NotFound(f"Worker {name} not found.")
            return _worker(bound)
        raise Unavailable(f"Worker {name} kept changing while it was bound.")

    def stop_worker(self, name):
        pods, _ = self.api.list_pods(manifests.worker_selector(name))
        for pod in pods:
            self._delete(pod)
        with self._lock:
            self._started.discard(name)

    def list_workers(self):
        pods, _ = self.api.list_pods(manifests.worker_selector())
        return [_worker(pod) for pod in pods if _live(pod)]

    def worker_alive(self, name, grace=0.0):
        pod = self._find(name)
        return pod is not None and pod_states.ready(pod)

    def _find(self, name):
        pods, _ = self.api.list_pods(manifests.worker_selector(name))
        return next((pod for pod in pods if not pod_states.terminating(pod)), None)

    def _worker_pods(self, runtime_id):
        pods, _ = self.api.list_pods(
            f"{manifests.worker_selector()},{manifests.RUNTIME}={runtime_id}")
        return [pod for pod in pods if _live(pod)]

    def _take_spare(self, runtime_id, image, name, limits, function_id=None, version=None):
        """A ready spare of the pool taken as the worker ``name``, or ``None``."""
        if limits != self.default_limits:
            return None
        pods, _ = self.api.list_pods(manifests.pool_selector(runtime_id))
        for pod in pods:
            if not pod_states.ready(pod) or pod_states.image(pod) != image:
                continue
            try:
                taken = self.api.patch_pod(pod["metadata"]["name"], manifests.claim(
                    pod, runtime_id, name, function_id, version))
            except Stale:
                continue  # taken by another replica, or changed: try the next
            if taken is not None:
                self._remember(name)
                return _worker(taken)
        return None

    def _start(self, runtime_id, image, name, limits, function_id=None, version=None):
        """A pod of the worker's own, once Ready; removed again when it cannot be."""
        pod = self.api.create_pod(manifests.worker_pod(
            runtime_id, image, name, *self._size(limits), function_id, version))
        self._remember(name)
        try:
            ready = awaiting.pods(self.api, manifests.worker_selector(name),
                                  _ready(pod["metadata"]["name"]), self.start_timeout)
        except awaiting.TimedOut:
            self._delete(pod)
            raise Unavailable(f"Worker {name} was not ready within {self.start_timeout} s.") \
                from None
        except (InvalidInput, Unavailable):
            self._delete(pod)
            raise
        return _worker(ready)

    def _size(self, limits):
        """``(cpu, memory)`` of the container of a worker for functions with ``limits``."""
        return worker_size(limits.cpu, limits.memory_size, self.concurrency)

    def _remember(self, name):
        with self._lock:
            self._started.add(name)

    def _delete(self, pod):
        self.api.delete_pod(pod["metadata"]["name"], STOP_GRACE)

    def _apply_network_policy(self):
        if not self._policy:
            self.api.apply_network_policy(manifests.network_policy())
            self._policy = True

    # -- image functions ----------------------------------------------------------------------

    def check_images(self):
        """A cluster runs any image it can pull: nothing is missing."""

    def run_image(self, run):
        self._apply_network_policy()
        return self.images.run(run)

    def cancel_image(self, execution_id):
        return self.images.cancel(execution_id)

    def image_executions(self):
        return self.images.executions()

    def remove_image(self, execution_id):
        self.images.remove(execution_id)

    # -- the rest -----------------------------------------------------------------------------

    def probe(self):
        return {"driver": "kubernetes", "namespace": self.api.namespace, "host": self.host,
                "isolation": ["pod", "cpu", "memory", "network-policy", "non-root",
                              "read-only-root", "no-capabilities"]}

    def close(self):
        """Stop the workers this driver started (other replicas' stay)."""
        with self._lock:
            names = sorted(self._started)
        for name in names:
            self.stop_worker(name)


def _worker(pod):
    labels = pod["metadata"]["labels"]
    version = labels.get(manifests.VERSION)
    ip = (pod.get("status") or {}).get("podIP") or ""
    return Worker(name=labels[manifests.WORKER], url=f"http://{ip}:{manifests.PORT}",
                  runtime_id=labels[manifests.RUNTIME], function_id=labels.get(manifests.FUNCTION),
                  function_version=None if version is None else int(version))


def _live(pod):
    return not pod_states.terminating(pod) and bool((pod.get("status") or {}).get("podIP"))


def _same(pod, name, function_id, function_version):
    """The worker of ``pod`` when it runs that function version; else ``Conflict``."""
    worker = _worker(pod)
    if (worker.function_id, worker.function_version) != (function_id, function_version):
        raise Conflict(f"Worker name {name} is taken by function {worker.function_id} "
                       f"version {worker.function_version}.")
    return worker


def _ready(pod_name):
    """``decide`` of ``awaiting.pods``: the pod once Ready; its failure raised."""
    def decide(kind, pod):
        if kind == "ABSENT":
            raise Unavailable(f"Pod {pod_name} was deleted while it started.")
        if pod is None or pod["metadata"]["name"] != pod_name:
            return None
        if kind == "DELETED" or pod_states.terminating(pod):
            raise Unavailable(f"Pod {pod_name} was deleted while it started.")
        if (failure := pod_states.image_failure(pod)) is not None:
            raise InvalidInput(f"Image {pod_states.image(pod)} cannot run on Kubernetes: "
                               f"{failure}.")
        if (failure := pod_states.start_failure(pod)) is not None:
            raise Unavailable(f"Pod {pod_name} did not start: {failure}.")
        return pod if pod_states.ready(pod) else None
    return decide


def _first_pod_of(image):
    """``decide`` of ``awaiting.pods`` over a pool: ``True`` once a pod of ``image`` is
    Ready, the failure's text when one cannot run it."""
    def decide(kind, pod):
        if pod is None or kind == "DELETED" or pod_states.image(pod) != image:
            return None
        failure = pod_states.image_failure(pod) or pod_states.start_failure(pod)
        if failure is not None:
            return failure
        return True if pod_states.ready(pod) else None
    return decide
