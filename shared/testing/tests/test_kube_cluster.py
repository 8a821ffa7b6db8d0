"""FakeKubeApiServer's simulated cluster, driven by the real ``kubernetes`` client: the
Deployment controller, the garbage collector and the test-driven kubelet (by hand, programs,
real runtime servers at pod IPs)."""
import time

import pytest
import requests
from kubernetes import client, watch

from kube_fixtures import NS, apps, core, deployment, error_of, pod, pods
from qinling_testing.kube_programs import args_program, runtime_starter

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


