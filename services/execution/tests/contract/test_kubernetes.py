"""The kubernetes driver: the orchestrator contract, and what only a cluster shows (pools as
Deployments, workers as pods with the function's limits reached by pod IP, rolling updates
rolled back), against the fake API server (``kube_harness``)."""
import time

import eventlet
import pytest
from kube_harness import CONCURRENCY, NAMESPACE, live_pods, settings, worker_pods
from orchestrator_contract import IMAGE, OrchestratorContract

from qinling_execution.orchestrators import Limits, PoolInfo, load_orchestrator
from qinling_execution.orchestrators.kubernetes.resources import (
    SERVER_MEMORY, container_resources, worker_size)
from qinling_execution.worker_client import WorkerClient
from qinling_shared.exceptions import InvalidInput
from qinling_testing.kube_programs import runtime_starter

NEW_IMAGE = "qinling/runtime-python3:latest"


class TestKubernetesOrchestrator(OrchestratorContract):
    @pytest.fixture
    def orchestrator(self, driver):
        return driver

    @pytest.fixture(autouse=True)
    def _remember(self, kube):
        self.kube = kube

    def assert_gone(self, worker):
        assert worker_pods(self.kube, worker.name) == []


def test_a_worker_pod_runs_functions_at_its_pod_ip(kube, driver, functions_package, tmp_path):
    """The fake kubelet runs the real Python runtime server for the pod, on its pod IP."""
    kube.cluster.kubelet.serve_runtime(IMAGE, runtime_starter("python3", tmp_path / "cache"))
    worker = driver.start_worker("rt-1", IMAGE, "fn-1", 0, "w-run",
                                 Limits(cpu=200, memory_size=67108864))
    url, sha256 = functions_package
    client = WorkerClient()
    try:
        result = client.execute(worker.url, {
            "execution_id": "e-kube", "function_id": "fn-1", "function_version": 0,
            "entry": "hello.main", "input": {"name": "pod"}, "timeout": 5, "cpu": 200,
            "memory_size": 67108864, "package_url": url, "package_sha256": sha256})
    finally:
        client.close()
    assert (result["output"], result["success"]) == ("Hello, pod", True)
    assert worker.url == f"http://{pod_ip(kube, 'w-run')}:9090"


def spares(kube, runtime_id="rt-1"):
    return live_pods(kube, lambda labels: labels.get("qinling.io/pool") == runtime_id)


def pool(kube, runtime_id="rt-1"):
    return kube.store.get("Deployment", NAMESPACE, f"runtime-{runtime_id}")


def test_a_pool_is_a_deployment_of_the_runtime_image_with_spare_pods(kube, driver):
    driver.create_pool("rt-1", IMAGE)
    deployment = pool(kube)
    assert deployment["apiVersion"] == "apps/v1"
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == IMAGE
    assert len(spares(kube)) == 2
    assert driver.pool_info("rt-1") == PoolInfo(total=0, available=0)  # spares aren't workers


def test_a_worker_with_the_default_limits_is_a_spare_taken_from_the_pool(kube, driver):
    driver.create_pool("rt-1", IMAGE)
    before = {pod["metadata"]["name"] for pod in spares(kube)}
    worker = driver.start_worker("rt-1", IMAGE, "fn-1", 0, "w-1")
    [pod] = worker_pods(kube, "w-1")
    assert pod["metadata"]["name"] in before                  # taken, not started
    assert not pod["metadata"].get("ownerReferences")         # the Deployment let it go
    assert worker.url == f"http://{pod['status']['podIP']}:9090"
    assert len(spares(kube)) == 2                             # and replaced it


def test_a_worker_with_other_limits_is_a_pod_with_those_limits(kube, driver):
    limits = Limits(cpu=250, memory_size=134217728)
    worker = driver.start_worker("rt-1", IMAGE, "fn-1", 3, "w-big", limits)
    [pod] = worker_pods(kube, "w-big")
    [container] = pod["spec"]["containers"]
    # sized for CONCURRENCY runs at the function's limits, and the runtime server itself
    assert container["resources"] == container_resources(
        250 * CONCURRENCY, SERVER_MEMORY + 134217728 * CONCURRENCY)
    assert "resources" not in pod["spec"]
    assert pod["metadata"]["labels"]["qinling.io/function"] == "fn-1"
    assert pod["metadata"]["labels"]["qinling.io/version"] == "3"
    assert pod["metadata"]["name"].startswith("w-big-")
    assert worker.url == f"http://{pod['status']['podIP']}:9090"
    assert pod["status"]["qosClass"] == "Guaranteed"


def test_workers_are_reached_by_pod_ip_with_no_service(kube, driver):
    driver.start_worker("rt-1", IMAGE, "fn-1", 0, "w-1")
    assert kube.store.objects("Service", NAMESPACE) == []
    assert all(not path.startswith(("/apis/extensions", "/apis/apps/v1beta"))
               for _, path, _ in kube.requests)


def test_binding_with_other_limits_replaces_the_idle_pod(kube, driver):
    driver.start_idle_worker("rt-1", IMAGE, "w-idle")
    [idle_pod] = worker_pods(kube, "w-idle")
    bound = driver.bind_worker("w-idle", "fn-1", 0, Limits(cpu=200, memory_size=67108864))
    [pod] = worker_pods(kube, "w-idle")
    assert pod["metadata"]["uid"] != idle_pod["metadata"]["uid"]
    assert pod["spec"]["containers"][0]["resources"] == container_resources(
        *worker_size(200, 67108864, CONCURRENCY))
    assert (bound.name, bound.function_id, bound.idle) == ("w-idle", "fn-1", False)
    assert driver.list_workers() == [bound]


def test_binding_with_the_default_limits_relabels_the_idle_pod(kube, driver):
    driver.start_idle_worker("rt-1", IMAGE, "w-idle")
    [idle_pod] = worker_pods(kube, "w-idle")
    driver.bind_worker("w-idle", "fn-1", 0, Limits(cpu=100, memory_size=33554432))
    [pod] = worker_pods(kube, "w-idle")
    assert pod["metadata"]["uid"] == idle_pod["metadata"]["uid"]
    assert pod["metadata"]["labels"]["qinling.io/function"] == "fn-1"


def test_a_new_image_is_a_rolling_update(kube, driver):
    driver.create_pool("rt-1", IMAGE)
    generation = pool(kube)["metadata"]["generation"]
    driver.create_pool("rt-1", NEW_IMAGE)
    deployment = pool(kube)
    assert deployment["metadata"]["generation"] == generation + 1
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == NEW_IMAGE
    assert any(pod["spec"]["containers"][0]["image"] == NEW_IMAGE for pod in spares(kube))


def test_an_image_that_cannot_run_is_rolled_back(kube, driver):
    driver.create_pool("rt-1", IMAGE)
    with pytest.raises(InvalidInput, match=r"Image example/broken:2 cannot run on Kubernetes: "
                                           r"ErrImagePull: .* rolled back to " + IMAGE):
        driver.create_pool("rt-1", "example/broken:2")
    assert pool(kube)["spec"]["template"]["spec"]["containers"][0]["image"] == IMAGE
    driver.start_worker("rt-1", IMAGE, "fn-1", 0, "w-after")  # the pool still serves


def test_a_worker_start_waits_for_the_kubelet_by_watching(kube, driver):
    driver.create_pool("rt-1", IMAGE)
    kube.cluster.kubelet.auto = False
    starting = eventlet.spawn(driver.start_worker, "rt-1", IMAGE, "fn-1", 0, "w-slow",
                              Limits(cpu=300, memory_size=33554432))
    deadline = time.monotonic() + 10
    while not watching(kube, "w-slow"):  # the pod is created, then watched
        assert time.monotonic() < deadline and not starting.dead
        eventlet.sleep(0.01)
    [pod] = worker_pods(kube, "w-slow")
    assert pod["status"]["phase"] == "Pending" and not starting.dead
    kube.cluster.kubelet.run(NAMESPACE, pod["metadata"]["name"])
    worker = starting.wait()
    assert worker.name == "w-slow" and worker.url == f"http://{pod_ip(kube, 'w-slow')}:9090"


def watching(kube, name):
    return any(path.endswith("/pods") and query.get("watch") in ("true", "1", "True")
               and query.get("labelSelector", "").endswith(f"qinling.io/worker={name}")
               for _, path, query in kube.requests)


def pod_ip(kube, name):
    [pod] = worker_pods(kube, name)
    return pod["status"]["podIP"]


def test_a_worker_whose_image_cannot_be_pulled_is_refused_and_removed(kube, driver):
    kube.cluster.kubelet.images.discard(IMAGE)
    driver.replicas = 0   # no spare tries the image first: the worker's own pod does
    with pytest.raises(InvalidInput, match="ErrImagePull"):
        driver.start_worker("rt-1", IMAGE, "fn-1", 0, "w-1")
    assert worker_pods(kube, "w-1") == []


def test_the_network_policy_isolates_the_workers(kube, driver):
    driver.create_pool("rt-1", IMAGE)
    [policy] = kube.store.objects("NetworkPolicy", NAMESPACE)
    assert policy["spec"]["podSelector"] == {
        "matchLabels": {"app.kubernetes.io/managed-by": "qinling"}}
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}


def test_close_leaves_the_workers_of_other_drivers(kube, tls, driver):
    other = load_orchestrator("kubernetes", settings(kube.url, tls))
    theirs = other.start_worker("rt-1", IMAGE, "fn-1", 0, "w-theirs")
    driver.start_worker("rt-1", IMAGE, "fn-2", 0, "w-mine")
    driver.close()
    assert driver.list_workers() == [theirs]
    other.close()
