"""The kubernetes driver's tests against the in-process fake API server
(``qinling_testing.kube_apiserver``), over TLS with a client certificate, with the real
``kubernetes`` client: each test gets its own API server, whose kubelet runs the runtime
images the contract uses, and whose every stored or refused object is checked strictly."""
import pytest

from qinling_execution.orchestrators import load_orchestrator
from qinling_testing.certificates import make_tls_files
from qinling_testing.kube_apiserver import FakeKubeApiServer

NAMESPACE = "qinling-functions"
CONCURRENCY = 2  # runs a worker serves at once: its container is sized for them
RUNTIME_IMAGES = ("openstackqinling/python3-runtime:0.0.2", "python3",
                  "qinling/runtime-python3:latest")


def settings(url, tls, **more):
    """The driver's settings for the API at ``url``, as ``kubernetes_settings.settings``
    reads them."""
    return {"kube_host": url, "use_api_certificate": True,
            "ssl_ca_cert": str(tls.ca_cert), "cert_file": str(tls.client_cert),
            "key_file": str(tls.client_key), "namespace": NAMESPACE, "replicas": 2,
            "in_cluster": False, "worker_start_timeout": 10, "default_cpu": 100,
            "default_memory": 33554432, "function_concurrency": CONCURRENCY, **more}


@pytest.fixture
def tls(tmp_path):
    return make_tls_files(tmp_path)


@pytest.fixture
def kube(tls):
    with FakeKubeApiServer(tls=tls, namespaces=(NAMESPACE,)) as server:
        server.cluster.kubelet.images.update(RUNTIME_IMAGES)
        yield server
        server.assert_all_valid()


@pytest.fixture
def driver(kube, tls):
    driver = load_orchestrator("kubernetes", settings(kube.url, tls))
    yield driver
    driver.close()


def live_pods(kube, selector=lambda labels: True):
    """The pods kept by the API server that are not being deleted, as a filter on labels."""
    return [pod for pod in kube.store.objects("Pod", NAMESPACE)
            if not pod["metadata"].get("deletionTimestamp")
            and selector(pod["metadata"].get("labels", {}))]


def worker_pods(kube, name):
    return live_pods(kube, lambda labels: labels.get("qinling.io/worker") == name)
