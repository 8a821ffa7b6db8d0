"""The kubernetes driver's image functions: the image contract, with the fake kubelet playing
the tests' args image (``kube_programs.args_program``), plus what only pods show."""
import time

import eventlet
import pytest
from image_contract import ImageContract
from kube_harness import NAMESPACE, live_pods

from qinling_execution.orchestrators.base import container_name
from qinling_execution.orchestrators.kubernetes import manifests
from qinling_execution.orchestrators.kubernetes.resources import container_resources
from qinling_testing.kube_programs import args_program

ARGS_IMAGE = "qinling-test/args:kube"


def pods_of(kube, execution_id):
    return [pod["metadata"]["name"] for pod in live_pods(
        kube, lambda labels: labels.get("qinling.io/execution") == execution_id)]


class TestKubernetesImages(ImageContract):
    @pytest.fixture
    def orchestrator(self, kube, driver):
        kube.cluster.kubelet.programs[ARGS_IMAGE] = args_program
        self.kube = kube
        return driver

    @pytest.fixture
    def image(self):
        return ARGS_IMAGE

    def leave_running(self, orchestrator, run):
        orchestrator.api.create_pod(manifests.image_pod(run))

    def containers_of(self, orchestrator, execution_id):
        return pods_of(self.kube, execution_id)

    def test_the_pod_has_the_runs_limits_and_no_token(self, orchestrator, image):
        run = self.image_run(image, "sleep", "30", timeout=60)
        running = eventlet.spawn(orchestrator.run_image, run)
        deadline = time.monotonic() + 10
        while not pods_of(self.kube, run.execution_id):  # until its pod is there
            assert time.monotonic() < deadline
            eventlet.sleep(0.01)  # the pod appears in the fake's store: nothing tells
        pod = self.kube.store.get("Pod", NAMESPACE, container_name(run.execution_id))
        [container] = pod["spec"]["containers"]
        assert container["resources"] == container_resources(100, 33554432)
        assert container["args"] == ["sleep", "30"]
        assert pod["spec"]["restartPolicy"] == "Never"
        assert pod["spec"]["automountServiceAccountToken"] is False
        assert pod["metadata"]["labels"]["qinling.io/function"] == "fn-1"
        assert orchestrator.cancel_image(run.execution_id) is True
        assert running.wait()["success"] is False
        assert pods_of(self.kube, run.execution_id) == []
