"""The pieces of a Pod's ``status`` the fake kubelet writes, shaped as the real kubelet's:
``conditions(pod, ready, reason)`` (PodScheduled, Initialized, Ready, ContainersReady),
``container_status(container, state, ready, previous)``, ``qos(pod)`` (the QoS class).
"""
import uuid

from qinling_testing.kube_store import now


def condition(kind, ready, reason=None, message=None):
    condition = {"type": kind, "status": "True" if ready else "False",
                 "lastTransitionTime": now()}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    return condition


def conditions(pod, ready, reason="ContainersNotReady"):
    names = [c["name"] for c in pod["spec"]["containers"]]
    message = None if ready or reason == "PodCompleted" else \
        f"containers with unready status: [{' '.join(names)}]"
    return [condition("PodScheduled", True), condition("Initialized", True),
            condition("Ready", ready, None if ready else reason, message),
            condition("ContainersReady", ready, None if ready else reason, message)]


def container_status(container, state, ready, previous=None):
    status = {"name": container["name"], "image": container["image"], "imageID": "",
              "ready": ready, "started": "running" in state, "restartCount": 0,
              "state": state, "lastState": {}}
    if "waiting" not in state or (previous or {}).get("containerID"):
        status["containerID"] = (previous or {}).get("containerID") or \
            f"containerd://{uuid.uuid4().hex}"
        status["imageID"] = f"{container['image']}@sha256:{'0' * 64}"
    return status


def qos(pod):
    limits = [((c.get("resources") or {}).get("limits") or {}) for c in pod["spec"]["containers"]]
    requests = [((c.get("resources") or {}).get("requests") or {})
                for c in pod["spec"]["containers"]]
    if not any(limits) and not any(requests):
        return "BestEffort"
    guaranteed = all(lim.get("cpu") and lim.get("memory") and
                     all(req.get(r, lim[r]) == lim[r] for r in ("cpu", "memory"))
                     for lim, req in zip(limits, requests))
    return "Guaranteed" if guaranteed else "Burstable"
