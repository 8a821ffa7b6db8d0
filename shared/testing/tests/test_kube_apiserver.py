"""FakeKubeApiServer's API, driven by the real ``kubernetes`` client over TLS with a client
certificate: objects, list versions and selectors, watches, validation, patches, discovery and
authentication. Its controllers and kubelet: ``test_kube_cluster.py``."""
import queue
import threading

import pytest
import requests
from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from urllib3.exceptions import MaxRetryError, SSLError

from kube_fixtures import IMAGE, NS, apps, core, deployment, error_of, pod, pods, raw
from qinling_testing.certificates import make_tls_files
from qinling_testing.kube_apiserver import FakeKubeApiServer
from qinling_testing.kube_patches import PatchFailed, apply_patch
from qinling_testing.kube_selectors import match_selector, parse_label_selector

def test_list_selectors_and_resource_version(kube, api):
    core(api).create_namespaced_pod(NS, pod("a", labels={"tier": "x", "keep": "1"}))
    core(api).create_namespaced_pod(NS, pod("b", labels={"tier": "y"}))
    core(api).create_namespaced_pod(NS, pod("c", image="registry.test/missing:1"))
    names = lambda **kw: [p.metadata.name for p in  # noqa: E731
                          core(api).list_namespaced_pod(NS, **kw).items]
    assert names(label_selector="tier in (x,y)") == ["a", "b"]
    assert names(label_selector="tier notin (x)") == ["b", "c"]
    assert names(label_selector="!keep") == ["b", "c"]
    assert names(label_selector="tier,tier!=y") == ["a"]
    assert names(field_selector="status.phase=Pending") == ["c"]
    assert names(field_selector="metadata.name=b") == ["b"]
    listed = core(api).list_namespaced_pod(NS)
    assert int(listed.metadata.resource_version) == kube.store.resource_version
    assert error_of(core(api).list_namespaced_pod, NS, field_selector="spec.bogus=1")[0] == 400


def test_a_watch_replays_events_in_order_from_a_resource_version(kube, api):
    start = core(api).create_namespaced_pod(NS, pod("a")).metadata.resource_version
    core(api).create_namespaced_pod(NS, pod("b", image="registry.test/missing:1"))
    core(api).patch_namespaced_pod("b", NS, {"metadata": {"labels": {"x": "1"}}})
    core(api).delete_namespaced_pod("b", NS)
    events = [(e["type"], e["object"].metadata.name) for e in watch.Watch().stream(
        core(api).list_namespaced_pod, NS, resource_version=start, timeout_seconds=1)]
    assert events == [("MODIFIED", "a"), ("MODIFIED", "a"), ("ADDED", "b"), ("MODIFIED", "b"),
                      ("MODIFIED", "b"), ("MODIFIED", "b"), ("DELETED", "b")]
    # a label selector sees an object that stops matching as DELETED
    selected = [(e["type"], e["object"].metadata.name) for e in watch.Watch().stream(
        core(api).list_namespaced_pod, NS, resource_version=start, label_selector="x",
        timeout_seconds=1)]
    assert selected == [("ADDED", "b"), ("DELETED", "b")]


def test_a_watch_streams_later_events_as_they_happen(kube, api):
    version = core(api).list_namespaced_pod(NS).metadata.resource_version
    seen, stream = queue.Queue(), watch.Watch()

    def follow():
        for event in stream.stream(core(api).list_namespaced_pod, NS, resource_version=version,
                                   timeout_seconds=10):
            seen.put((event["type"], event["object"].metadata.name))
            stream.stop()
    thread = threading.Thread(target=follow)
    thread.start()
    core(api).create_namespaced_pod(NS, pod("late"))
    assert seen.get(timeout=5) == ("ADDED", "late")
    thread.join(timeout=5)


def test_a_too_old_resource_version_is_410_gone(tls):
    with FakeKubeApiServer(tls=tls, history=5) as kube, \
            client.ApiClient(kube.client_configuration()) as api:
        for index in range(6):
            core(api).create_namespaced_pod(NS, pod(f"p{index}", image="registry.test/x:1"))
        with pytest.raises(ApiException) as caught:
            list(watch.Watch().stream(core(api).list_namespaced_pod, NS, resource_version="2",
                                      timeout_seconds=1))
        assert caught.value.status == 410 and "Expired" in caught.value.reason


def test_invalid_objects_are_refused_422_and_recorded(kube, api):
    pod_resources = pod("big")
    pod_resources.spec.resources = client.V1ResourceRequirements(limits={"cpu": "1"})
    status, body = error_of(core(api).create_namespaced_pod, NS, pod_resources)
    assert (status, body["reason"]) == (422, "Invalid") and "[1.30.0] spec" in body["message"]
    assert "'resources' was unexpected" in body["message"]
    unknown = {"metadata": {"name": "typo"},
               "spec": {"containers": [{"name": "c", "image": IMAGE, "imagePullPolicyTypo": 1}]}}
    status, body = raw(api, "POST", f"/api/v1/namespaces/{NS}/pods", unknown)
    assert status == 422 and "'imagePullPolicyTypo' was unexpected" in body["message"]
    mismatch = deployment(labels={"app": "web"})
    mismatch.spec.template.metadata.labels = {"app": "other"}
    assert error_of(apps(api).create_namespaced_deployment, NS, mismatch)[0] == 422
    bad_label = pod("labelled", labels={"function": "a:b"})
    assert error_of(core(api).create_namespaced_pod, NS, bad_label)[0] == 422
    assert [(verb, kind, where) for verb, kind, where, _ in kube.rejected] == [
        ("create", "Pod", "default/big"), ("create", "Pod", "default/typo"),
        ("create", "Deployment", "default/web"), ("create", "Pod", "default/labelled")]
    assert pods(api) == [] and kube.store.objects("Deployment") == []
    with pytest.raises(AssertionError):
        kube.assert_all_valid()


def test_updates_conflicts_and_patch_types(kube, api):
    created = core(api).create_namespaced_pod(NS, pod("a", labels={"v": "1"}))
    stale = created.metadata.resource_version
    current = core(api).read_namespaced_pod("a", NS)
    current.metadata.labels["v"] = "2"
    replaced = core(api).replace_namespaced_pod("a", NS, current)
    assert replaced.metadata.labels["v"] == "2"
    current.metadata.resource_version = stale
    status, body = error_of(core(api).replace_namespaced_pod, "a", NS, current)
    assert (status, body["reason"]) == (409, "Conflict")
    merge = {"metadata": {"resourceVersion": stale, "labels": {"v": "3"}}}
    assert error_of(core(api).patch_namespaced_pod, "a", NS, merge,
                    _content_type="application/merge-patch+json")[0] == 409
    patched = core(api).patch_namespaced_pod(
        "a", NS, [{"op": "test", "path": "/metadata/labels/v", "value": "2"},
                  {"op": "add", "path": "/metadata/labels/w", "value": "x"}])
    assert patched.metadata.labels == {"v": "2", "w": "x"}
    assert error_of(core(api).patch_namespaced_pod, "a", NS,
                    [{"op": "test", "path": "/metadata/labels/v", "value": "9"}])[0] == 422
    image = core(api).patch_namespaced_pod("a", NS, {"spec": {"containers": [
        {"name": "main", "image": "registry.test/app:2"}]}})
    assert [c.image for c in image.spec.containers] == ["registry.test/app:2"]
    assert error_of(core(api).patch_namespaced_pod, "a", NS,
                    {"spec": {"restartPolicy": "Never"}})[0] == 422


def test_generate_name_namespaces_and_version(kube, api):
    made = core(api).create_namespaced_pod(NS, client.V1Pod(
        metadata=client.V1ObjectMeta(generate_name="job-"), spec=pod("x").spec))
    assert made.metadata.name.startswith("job-") and len(made.metadata.name) == 9
    status, body = error_of(core(api).create_namespaced_pod, NS, pod(made.metadata.name))
    assert (status, body["reason"]) == (409, "AlreadyExists")
    assert core(api).read_namespace(NS).status.phase == "Active"
    assert error_of(core(api).create_namespaced_pod, "nowhere", pod("y"))[0] == 404
    assert client.VersionApi(api).get_code().git_version == "v1.30.0"


def test_network_policies(kube, api):
    networking = client.NetworkingV1Api(api)
    policy = client.V1NetworkPolicy(
        metadata=client.V1ObjectMeta(name="deny"),
        spec=client.V1NetworkPolicySpec(pod_selector=client.V1LabelSelector(
            match_labels={"app": "web"}), policy_types=["Ingress"]))
    networking.create_namespaced_network_policy(NS, policy)
    listed = networking.list_namespaced_network_policy(NS).items
    assert [p.metadata.name for p in listed] == ["deny"]
    networking.delete_namespaced_network_policy("deny", NS)
    assert networking.list_namespaced_network_policy(NS).items == []


def test_unserved_api_versions_are_404(kube, tls):
    credentials = {"verify": str(tls.ca_cert), "cert": (str(tls.client_cert), str(tls.client_key))}
    for path in ("/apis/extensions/v1beta1/namespaces/default/deployments",
                 "/apis/apps/v1beta1/namespaces/default/deployments", "/api/v2/pods"):
        answer = requests.get(kube.url + path, **credentials)
        assert answer.status_code == 404 and answer.json()["reason"] == "NotFound"
    resources = requests.get(kube.url + "/apis/apps/v1", **credentials).json()
    assert resources["groupVersion"] == "apps/v1"


def test_a_client_without_a_trusted_certificate_is_refused(kube, tls, tmp_path):
    anonymous = kube.client_configuration(client_cert=False)
    anonymous.retries = 0
    with client.ApiClient(anonymous) as api, pytest.raises(MaxRetryError) as caught:
        core(api).list_namespaced_pod(NS)
    # the handshake failed: under TLS 1.3 the server's alert may come after the client has
    # finished its side, and the client then sees the connection end (EOF) instead
    assert isinstance(caught.value.reason, SSLError)
    assert any(text in str(caught.value.reason) for text in ("CERTIFICATE_REQUIRED", "EOF"))
    stranger = make_tls_files(tmp_path / "other")
    foreign = kube.client_configuration()
    foreign.cert_file, foreign.key_file = str(stranger.client_cert), str(stranger.client_key)
    foreign.retries = 0
    with client.ApiClient(foreign) as api, pytest.raises(MaxRetryError) as caught:
        core(api).list_namespaced_pod(NS)
    assert isinstance(caught.value.reason, SSLError)


def test_a_bearer_token_instead_of_a_certificate(tls):
    with FakeKubeApiServer(tls=tls, token="s3cret") as kube:
        with client.ApiClient(kube.client_configuration(client_cert=False,
                                                        token="s3cret")) as api:
            assert core(api).list_namespaced_pod(NS).items == []
        with client.ApiClient(kube.client_configuration(client_cert=False,
                                                        token="wrong")) as api:
            status, body = error_of(core(api).list_namespaced_pod, NS)
            assert (status, body["reason"]) == (401, "Unauthorized")
        with client.ApiClient(kube.client_configuration()) as api:
            assert core(api).list_namespaced_pod(NS).items == []


def test_selector_and_patch_details():
    assert parse_label_selector("a in (x, y),!b")({"a": "y"})
    assert not parse_label_selector("a in (x, y),!b")({"a": "y", "b": ""})
    with pytest.raises(ValueError):
        parse_label_selector("a in (x")
    selector = {"matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}
    assert match_selector(selector, {"app": "web"})
    assert not match_selector(selector, {"app": "web", "tier": "db"})
    obj = {"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "1"}],
                    "tolerations": [{"key": "x"}]}, "metadata": {"labels": {"k": "v"}}}
    patched = apply_patch("application/strategic-merge-patch+json", obj, {"spec": {
        "containers": [{"name": "b", "image": "2"}, {"name": "a", "$patch": "delete"}],
        "tolerations": [{"key": "y"}]}, "metadata": {"labels": {"k": None}}})
    assert patched == {"spec": {"containers": [{"name": "b", "image": "2"}],
                                "tolerations": [{"key": "y"}]}, "metadata": {"labels": {}}}
    merged = apply_patch("application/merge-patch+json", obj, {"spec": {"containers": []}})
    assert merged["spec"] == {"containers": [], "tolerations": [{"key": "x"}]}
    moved = apply_patch("application/json-patch+json", obj, [
        {"op": "move", "from": "/metadata/labels/k", "path": "/metadata/labels/m"},
        {"op": "remove", "path": "/spec/containers/0"}])
    assert moved["metadata"]["labels"] == {"m": "v"} and len(moved["spec"]["containers"]) == 1
    with pytest.raises(PatchFailed):
        apply_patch("application/json-patch+json", obj, [{"op": "remove", "path": "/nope"}])
