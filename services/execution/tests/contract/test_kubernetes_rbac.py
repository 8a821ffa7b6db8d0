"""The Role of ``k8s/base/rbac.yaml`` grants exactly what the kubernetes driver does in the
functions' namespace: the fake API server enforces its rules there (and nothing elsewhere),
the driver runs pools, workers and image functions under it, and every (resource, verb) the
Role grants is one the driver used."""
import time
from pathlib import Path

import eventlet
import pytest
import yaml
from kube_harness import NAMESPACE, settings, worker_pods

from qinling_execution.orchestrators import ImageRun, Limits, load_orchestrator
from qinling_execution.orchestrators.kubernetes import manifests
from qinling_shared.exceptions import Unavailable
from qinling_testing.kube_programs import args_program
from qinling_testing.kube_routes import parse_path, rbac_verb

RBAC = Path(__file__).resolve().parents[4] / "k8s" / "base" / "rbac.yaml"
IMAGE = "qinling/runtime-python3:latest"
ARGS_IMAGE = "qinling-test/args:kube"


def role_rules():
    [role] = [d for d in yaml.safe_load_all(RBAC.read_text()) if d and d["kind"] == "Role"]
    assert role["metadata"]["namespace"] == "qinling-functions" == NAMESPACE
    return role["rules"]


def granted(rules):
    return {(group, resource, verb) for rule in rules for group in rule["apiGroups"]
            for resource in rule["resources"] for verb in rule["verbs"]}


def used(requests):
    """``(API group, resource, verb)`` of every namespaced request made."""
    done = set()
    for method, path, query in requests:
        try:
            kind, namespace, name, sub = parse_path([p for p in path.split("/") if p])
        except Exception:  # noqa: BLE001 - discovery and /version: not namespaced
            continue
        if namespace is not None:
            done.add((kind.group, kind.plural + (f"/{sub}" if sub else ""),
                      rbac_verb(method, name, query)))
    return done


def image_run(execution_id, *args):
    return ImageRun(execution_id=execution_id, function_id="fn-3", image=ARGS_IMAGE,
                    args=args, cpu=100, memory_size=33554432, timeout=30)


def test_the_role_grants_exactly_what_the_driver_does(kube, tls):
    kube.role_rules, kube.allowed_namespaces = role_rules(), {NAMESPACE}
    kube.cluster.kubelet.programs[ARGS_IMAGE] = args_program
    stale = manifests.network_policy()
    stale["spec"]["ingress"] = []                # an operator changed it: the driver puts it back
    kube.store.create("NetworkPolicy", NAMESPACE, stale)
    driver = load_orchestrator("kubernetes", settings(kube.url, tls))
    try:
        driver.create_pool("rt-1", IMAGE)
        driver.start_worker("rt-1", IMAGE, "fn-1", 0, "w-spare")
        kube.cluster.kubelet.auto = False        # a pod that takes its time is watched
        starting = eventlet.spawn(driver.start_worker, "rt-1", IMAGE, "fn-4", 0, "w-slow",
                                  Limits(cpu=300, memory_size=33554432))
        deadline = time.monotonic() + 10
        while not (pods := worker_pods(kube, "w-slow")) or not watching(kube):
            assert time.monotonic() < deadline and not starting.dead
            eventlet.sleep(0.01)  # nothing tells when the driver's watch is open: poll
        kube.cluster.kubelet.run(NAMESPACE, pods[0]["metadata"]["name"])
        starting.wait()
        kube.cluster.kubelet.auto = True
        driver.start_idle_worker("rt-1", IMAGE, "w-idle")
        driver.bind_worker("w-idle", "fn-2", 0, Limits(cpu=200, memory_size=67108864))
        assert driver.worker_alive("w-idle")
        driver.stop_worker("w-spare")
        outcome = driver.run_image(image_run("e-rbac", "hello"))
        assert (outcome["success"], outcome["logs"]) == (True, "hello\n")
        running = eventlet.spawn(driver.run_image, image_run("e-cancel", "sleep", "30"))
        deadline = time.monotonic() + 10
        while not driver.cancel_image("e-cancel"):  # until its pod runs
            assert time.monotonic() < deadline and not running.dead
            eventlet.sleep(0.01)
        assert running.wait()["success"] is False
        assert driver.image_executions() == []
        driver.create_pool("rt-1", "python3")
        driver.delete_pool("rt-1")
        assert driver.list_workers() == []
    finally:
        driver.close()
    assert kube.store.get("NetworkPolicy", NAMESPACE, "qinling-workers")["spec"] == \
        manifests.network_policy()["spec"]
    kube.store.delete("NetworkPolicy", NAMESPACE, "qinling-workers")
    again = load_orchestrator("kubernetes", settings(kube.url, tls))  # a replica that starts
    again.create_pool("rt-2", IMAGE)                                   # where there is none
    assert kube.store.get("NetworkPolicy", NAMESPACE, "qinling-workers") is not None
    assert used(kube.requests) == granted(role_rules())


def watching(kube):
    return any(query.get("watch") and path.endswith("/pods") for _, path, query in kube.requests)


def test_what_the_role_does_not_grant_is_forbidden(kube, tls):
    kube.role_rules, kube.allowed_namespaces = role_rules(), {NAMESPACE}
    driver = load_orchestrator("kubernetes", dict(settings(kube.url, tls), namespace="default"))
    with pytest.raises(Unavailable, match=r"403 .*forbidden.* in the namespace \"default\""):
        driver.create_pool("rt-1", IMAGE)
