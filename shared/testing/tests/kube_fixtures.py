"""Fixtures and helpers of the fake Kubernetes API server's tests (``test_kube_*.py``): a
server over TLS with a client certificate, the real ``kubernetes`` client bound to it, and
objects built with the client's models."""
import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from qinling_testing.certificates import make_tls_files
from qinling_testing.kube_apiserver import FakeKubeApiServer

NS = "default"
IMAGE = "registry.test/app:1"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_tls_files(tmp_path_factory.mktemp("kube-pki"))


@pytest.fixture
def kube(tls):
    with FakeKubeApiServer(tls=tls) as server:
        server.cluster.kubelet.images.add(IMAGE)
        yield server


@pytest.fixture
def api(kube):
    with client.ApiClient(kube.client_configuration()) as api_client:
        yield api_client


def core(api):
    return client.CoreV1Api(api)


def apps(api):
    return client.AppsV1Api(api)


def deployment(name="web", replicas=2, image=IMAGE, labels=None):
    labels = labels or {"app": name}
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels={"team": "faas"}),
        spec=client.V1DeploymentSpec(
            replicas=replicas, selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="c", image=image)]))))


def pod(name, image=IMAGE, args=None, labels=None, **spec):
    return client.V1Pod(metadata=client.V1ObjectMeta(name=name, labels=labels),
                        spec=client.V1PodSpec(containers=[client.V1Container(
                            name="main", image=image, args=args)], **spec))


def pods(api, selector=None):
    return core(api).list_namespaced_pod(NS, label_selector=selector).items


def error_of(call, *args, **kwargs):
    with pytest.raises(ApiException) as caught:
        call(*args, **kwargs)
    return caught.value.status, json.loads(caught.value.body)


def raw(api, method, path, body=None):
    """``(status, decoded body)`` of a request the client's models would not let through."""
    request = api.param_serialize(method, path, header_params={
        "Content-Type": "application/json", "Accept": "application/json"}, body=body,
        auth_settings=["BearerToken"])
    response = api.call_api(*request)
    return response.status, json.loads(response.read())
