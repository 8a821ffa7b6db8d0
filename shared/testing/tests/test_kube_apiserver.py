"""FakeKubeApiServer, driven by the real ``kubernetes`` client over TLS with a client
certificate: objects, list versions and selectors, watches, validation, the Deployment
controller, the garbage collector and the test-driven kubelet."""
import json
import queue
import threading
import time

import pytest
import requests
from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from urllib3.exceptions import MaxRetryError, SSLError

from qinling_testing.certificates import make_tls_files
from qinling_testing.kube_apiserver import FakeKubeApiServer
from qinling_testing.kube_patches import PatchFailed, apply_patch
from qinling_testing.kube_programs import args_program, runtime_starter
from qinling_testing.kube_selectors import match_selector, parse_label_selector

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


def test_a_deployment_gets_running_pods_owned_by_it(kube, api):
    created = apps(api).create_namespaced_deployment(NS, deployment(replicas=2))
    assert created.metadata.generation == 1 and created.metadata.uid
    listed = pods(api, "app=web")
    assert len(listed) == 2 and len({p.status.pod_ip for p in listed}) == 2
    for item in listed:
        assert item.status.phase == "Running" and item.status.pod_ip.startswith("127.244.0.")
        assert item.metadata.name.startswith("web-") and len(item.metadata.name) == 4 + 11 + 5
        assert item.metadata.labels["pod-template-hash"] == item.metadata.name.split("-")[1]
        (owner,) = item.metadata.owner_references
        assert (owner.kind, owner.uid, owner.controller) == ("Deployment", created.metadata.uid,
                                                             True)
        assert item.status.container_statuses[0].ready
    status = apps(api).read_namespaced_deployment("web", NS).status
    assert (status.replicas, status.ready_replicas, status.available_replicas,
            status.updated_replicas, status.observed_generation) == (2, 2, 2, 2, 1)
    conditions = {c.type: (c.status, c.reason) for c in status.conditions}
    assert conditions == {"Available": ("True", "MinimumReplicasAvailable"),
                          "Progressing": ("True", "NewReplicaSetAvailable")}
    kube.assert_all_valid()


def test_scaling_releasing_and_garbage_collecting(kube, api):
    apps(api).create_namespaced_deployment(NS, deployment(replicas=1))
    scaled = apps(api).patch_namespaced_deployment("web", NS, {"spec": {"replicas": 3}})
    assert scaled.metadata.generation == 2 and len(pods(api, "app=web")) == 3
    relabelled = pods(api)[0].metadata.name
    core(api).patch_namespaced_pod(relabelled, NS, {"metadata": {"labels": {"app": "other"}}})
    released = core(api).read_namespaced_pod(relabelled, NS)
    assert released.metadata.owner_references is None
    assert len(pods(api, "app=web")) == 3  # replaced
    apps(api).delete_namespaced_deployment("web", NS)
    assert [p.metadata.name for p in pods(api)] == [relabelled]  # the GC spared it
    status, body = error_of(apps(api).read_namespaced_deployment, "web", NS)
    assert (status, body["reason"], body["message"]) == (
        404, "NotFound", 'deployments.apps "web" not found')
    assert error_of(apps(api).delete_namespaced_deployment, "web", NS)[0] == 404


def test_orphan_deletion_keeps_the_pods(kube, api):
    apps(api).create_namespaced_deployment(NS, deployment(replicas=2))
    apps(api).delete_namespaced_deployment("web", NS, propagation_policy="Orphan")
    left = pods(api, "app=web")
    assert len(left) == 2 and all(p.metadata.owner_references is None for p in left)


def test_a_rolling_update_replaces_a_pod_once_the_new_one_is_ready(kube, api):
    kubelet = kube.cluster.kubelet
    kubelet.auto = False
    apps(api).create_namespaced_deployment(NS, deployment(replicas=1))
    (first,) = pods(api)
    assert first.status.phase == "Pending"
    assert first.status.container_statuses[0].state.waiting.reason == "ContainerCreating"
    kubelet.run(NS, first.metadata.name, ip="127.0.0.9")
    assert core(api).read_namespaced_pod(first.metadata.name, NS).status.pod_ip == "127.0.0.9"
    apps(api).patch_namespaced_deployment("web", NS, {"spec": {"template": {"spec": {
        "containers": [{"name": "c", "image": "registry.test/app:2"}]}}}})
    names = {p.metadata.name for p in pods(api)}
    (second,) = names - {first.metadata.name}
    status = apps(api).read_namespaced_deployment("web", NS).status
    assert (status.observed_generation, status.replicas, status.updated_replicas) == (2, 2, 1)
    kubelet.run(NS, second)
    assert [p.metadata.name for p in pods(api)] == [second]
    assert apps(api).read_namespaced_deployment("web", NS).status.ready_replicas == 1


def test_an_image_that_cannot_be_pulled_stops_progress(kube, api):
    apps(api).create_namespaced_deployment(NS, deployment(image="registry.test/missing:1"))
    waiting = pods(api)[0].status.container_statuses[0].state.waiting
    assert waiting.reason == "ErrImagePull"
    assert waiting.message.startswith("pull access denied for registry.test/missing:1")
    conditions = {c.type: c for c in
                  apps(api).read_namespaced_deployment("web", NS).status.conditions}
    assert (conditions["Progressing"].status, conditions["Progressing"].reason) == (
        "False", "ProgressDeadlineExceeded")
    assert conditions["Available"].status == "False"


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


def test_the_kubelet_driven_by_hand(kube, api):
    kubelet = kube.cluster.kubelet
    kubelet.auto = False
    core(api).create_namespaced_pod(NS, pod("job", restart_policy="Never"))
    status, body = error_of(core(api).read_namespaced_pod_log, "job", NS)
    assert status == 400 and "is waiting to start: ContainerCreating" in body["message"]
    kubelet.run(NS, "job")
    kubelet.terminate(NS, "job", 0, logs="done\n")
    finished = core(api).read_namespaced_pod("job", NS).status
    assert finished.phase == "Succeeded"
    terminated = finished.container_statuses[0].state.terminated
    assert (terminated.exit_code, terminated.reason) == (0, "Completed")
    assert terminated.started_at and terminated.finished_at
    assert core(api).read_namespaced_pod_log("job", NS) == "done\n"
    core(api).create_namespaced_pod(NS, pod("oom", restart_policy="Never"))
    kubelet.run(NS, "oom")
    kubelet.terminate(NS, "oom", 137, "OOMKilled")
    oom = core(api).read_namespaced_pod("oom", NS).status
    assert oom.phase == "Failed" and oom.container_statuses[0].state.terminated.reason == \
        "OOMKilled"
    core(api).create_namespaced_pod(NS, pod("flaky"))
    kubelet.run(NS, "flaky")
    kubelet.crash(NS, "flaky")
    crashed = core(api).read_namespaced_pod("flaky", NS).status
    assert crashed.phase == "Running" and not crashed.container_statuses[0].ready
    kubelet.fail_pull(NS, "flaky", "no such image")
    assert core(api).read_namespaced_pod("flaky", NS).status.container_statuses[0] \
        .state.waiting.message == "no such image"
    kube.assert_all_valid()


def test_graceful_deletion_waits_for_reap(kube, api):
    kube.cluster.kubelet.graceful = True
    apps(api).create_namespaced_deployment(NS, deployment(replicas=1))
    (first,) = pods(api)
    core(api).delete_namespaced_pod(first.metadata.name, NS)
    terminating = core(api).read_namespaced_pod(first.metadata.name, NS)
    assert terminating.metadata.deletion_timestamp is not None
    assert len(pods(api)) == 2  # a replacement, while the old one terminates
    kube.cluster.kubelet.reap()
    assert [p.metadata.name for p in pods(api)] != [first.metadata.name]
    assert len(pods(api)) == 1


def phase_after(api, name, deadline=5):
    """The phase the pod reaches once it leaves Running (watch, bounded)."""
    for event in watch.Watch().stream(core(api).list_namespaced_pod, NS,
                                      field_selector=f"metadata.name={name}",
                                      timeout_seconds=deadline):
        if event["object"].status.phase in ("Succeeded", "Failed"):
            return event["object"].status
    raise AssertionError(f"pod {name} did not end")


def test_the_args_program(kube, api):
    image = "qinling-test/args:fake"
    kube.cluster.kubelet.programs[image] = args_program
    limits = client.V1ResourceRequirements(limits={"memory": "32Mi"})

    def start(name, args, **spec):
        body = pod(name, image=image, args=args, restart_policy="Never", **spec)
        body.spec.containers[0].resources = limits
        core(api).create_namespaced_pod(NS, body)
        return core(api).read_namespaced_pod(name, NS).status

    failed = start("exit", ["exit", "3"])
    assert failed.phase == "Failed"
    assert failed.container_statuses[0].state.terminated.exit_code == 3
    assert core(api).read_namespaced_pod_log("exit", NS) == "exit\n3\n"
    oom = start("eat", ["eat", "64"]).container_statuses[0].state.terminated
    assert (oom.exit_code, oom.reason) == (137, "OOMKilled")
    assert start("small", ["eat", "16"]).phase == "Succeeded"
    assert start("nap", ["sleep", "0.3"]).phase == "Running"
    assert phase_after(api, "nap").phase == "Succeeded"
    assert start("long", ["sleep", "30"]).phase == "Running"
    assert kube.cluster.kubelet.pending() == [(NS, "long")]
    core(api).delete_namespaced_pod("long", NS)
    assert kube.cluster.kubelet.pending() == []
    started = time.monotonic()
    start("deadline", ["sleep", "30"], active_deadline_seconds=1)
    ended = phase_after(api, "deadline")
    assert (ended.phase, ended.reason) == ("Failed", "DeadlineExceeded")
    assert 0.9 < time.monotonic() - started < 5
    kube.assert_all_valid()


def test_a_runtime_image_really_serves_at_its_pod_ip(kube, api, tmp_path):
    kube.cluster.kubelet.serve_runtime("qinling/python3-runtime:1",
                                       runtime_starter("python3", tmp_path / "cache"))
    apps(api).create_namespaced_deployment(
        NS, deployment(replicas=2, image="qinling/python3-runtime:1"))
    ips = sorted(p.status.pod_ip for p in pods(api))
    assert ips == ["127.0.0.2", "127.0.0.3"]
    for ip in ips:
        assert requests.get(f"http://{ip}:9090/ping", timeout=5).status_code == 200
    (server,) = [server for server in kube.cluster.kubelet.servers().values()
                 if server.host == "127.0.0.2"]
    apps(api).delete_namespaced_deployment("web", NS)
    assert server.process.poll() is not None  # the pod's server ended with it
    with pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.2:9090/ping", timeout=5)


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
