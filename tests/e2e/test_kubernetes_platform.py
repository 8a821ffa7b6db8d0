"""The whole platform on the kubernetes orchestrator, through the REST API: the execution
service reaches the fake Kubernetes API (``qinling_testing.kube_apiserver``) over TLS with a
client certificate; its kubelet runs the real Python runtime server for each worker pod, on
the pod's IP, and plays the tests' args image for image functions' pods."""
import json

import pytest

from qinling_execution.orchestrators.kubernetes.resources import worker_size
from qinling_testing.api_client import ApiClient
from qinling_testing.certificates import make_tls_files
from qinling_testing.kube_apiserver import FakeKubeApiServer
from qinling_testing.kube_programs import args_program, runtime_starter
from qinling_testing.platform import healthy_platform

NAMESPACE = "qinling-functions"
RUNTIME_IMAGE = "registry.example.org/qinling/runtime-python3:1"
ARGS_IMAGE = "registry.example.org/qinling-test/args:1"


@pytest.fixture(scope="module")
def kube(tmp_path_factory):
    tls = make_tls_files(tmp_path_factory.mktemp("pki"))
    with FakeKubeApiServer(tls=tls, namespaces=(NAMESPACE,)) as server:
        server.cluster.kubelet.serve_runtime(
            RUNTIME_IMAGE, runtime_starter("python3", tmp_path_factory.mktemp("cache")))
        server.cluster.kubelet.programs[ARGS_IMAGE] = args_program
        yield server
        server.assert_all_valid()


@pytest.fixture(scope="module")
def platform(kube):
    tls = kube.tls
    with healthy_platform(conf_overrides={
            "engine": {"orchestrator": "kubernetes"},
            "kubernetes": {"kube_host": kube.url, "ssl_ca_cert": str(tls.ca_cert),
                           "cert_file": str(tls.client_cert), "key_file": str(tls.client_key),
                           "namespace": NAMESPACE, "replicas": "1"}}) as running:
        yield running


@pytest.fixture
def api(platform):
    with ApiClient(platform.url) as client:
        yield client


def pods(kube, label, value):
    return [pod for pod in kube.store.objects("Pod", NAMESPACE)
            if pod["metadata"].get("labels", {}).get(label) == value
            and not pod["metadata"].get("deletionTimestamp")]


def test_a_function_runs_in_a_worker_pod_with_its_limits(kube, api):
    runtime = api.create_runtime(image=RUNTIME_IMAGE)
    assert runtime.status_code == 201, runtime.text
    runtime_id = runtime.json()["id"]
    api.wait_for_status(f"/v1/runtimes/{runtime_id}", {"available"})
    deployment = kube.store.get("Deployment", NAMESPACE, f"runtime-{runtime_id}")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == RUNTIME_IMAGE

    function = api.create_function(runtime_id, cpu="200", memory_size="67108864")
    assert function.status_code == 201, function.text
    function_id = function.json()["id"]
    execution = api.execute(function_id, input={"name": "Kubernetes"})
    assert execution.status_code == 201, execution.text
    assert execution.json()["status"] == "success", execution.text
    assert json.loads(execution.json()["result"])["output"] == "Hello, Kubernetes"

    [pod] = pods(kube, "qinling.io/function", function_id)
    cpu, memory = worker_size(200, 67108864, 3)   # [engine] function_concurrency = 3
    assert pod["spec"]["containers"][0]["resources"]["limits"] == {"cpu": f"{cpu}m",
                                                                   "memory": str(memory)}
    workers = api.get(f"/v1/functions/{function_id}/workers").json()["workers"]
    assert [w["worker_name"] for w in workers] == [pod["metadata"]["labels"][
        "qinling.io/worker"]]


def test_an_image_function_runs_as_a_pod_that_is_deleted_when_done(kube, api):
    function = api.post("/v1/functions", data={
        "code": json.dumps({"source": "image", "image": ARGS_IMAGE}), "name": "image-fn"})
    assert function.status_code == 201, function.text
    function_id = function.json()["id"]
    execution = api.execute(function_id, input="Hello Kubernetes")
    assert execution.status_code == 201, execution.text
    assert execution.json()["status"] == "success", execution.text
    log = api.get(f"/v1/executions/{execution.json()['id']}/log")
    assert log.text == "Hello\nKubernetes\n"
    assert pods(kube, "qinling.io/function", function_id) == []
