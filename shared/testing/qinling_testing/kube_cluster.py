"""The fake cluster's controllers, run synchronously after every write (under the store's
lock, until nothing changes), so a test sees their work as soon as its call returns.

``Cluster(store)``: ``.kubelet`` (``kube_kubelet.Kubelet``) and the Deployment controller.
The garbage collector is the store's (``Store.remove``: dependents by ownerReference).

The Deployment controller, simplified: there are no ReplicaSet objects; the pods it makes
(``<deployment>-<10 hex of the template's hash>-<5 random>``, the template's labels plus
``pod-template-hash``) are owned by the Deployment itself (``controller: true``). It keeps
``spec.replicas`` active pods (not terminating, not Succeeded/Failed) that it owns; an
owned pod whose labels no longer match ``spec.selector`` is released (its ownerReference
dropped) and replaced; it adopts no orphans. A template change is a rolling update with
``maxSurge`` taken as 100%: all new pods are created at once, and an old pod is deleted for
each new pod that is Ready (``Recreate``: old pods first, new ones once they are gone).
``.status``: observedGeneration, replicas, updatedReplicas, readyReplicas,
availableReplicas (= ready; ``minReadySeconds`` ignored), unavailableReplicas (zero counts
omitted, as the API does), and the conditions Available (``availableReplicas >= replicas -
maxUnavailable``) and Progressing (False with ``ProgressDeadlineExceeded`` as soon as a new
pod's image cannot be pulled, without waiting ``progressDeadlineSeconds``).
"""
import hashlib
import json
import math

from qinling_testing.kube_kubelet import Kubelet
from qinling_testing.kube_selectors import match_selector
from qinling_testing.kube_store import now, release_owner

PULL_FAILURES = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName")


def template_hash(template):
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]


def is_ready(pod):
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod.get("status", {}).get("conditions") or [])


def is_active(pod):
    return "deletionTimestamp" not in pod["metadata"] and \
        pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")


def controller_uid(obj):
    return next((ref["uid"] for ref in obj["metadata"].get("ownerReferences") or []
                 if ref.get("controller")), None)


def _scaled(value, replicas, round_up):
    if isinstance(value, str) and value.endswith("%"):
        amount = int(value[:-1]) * replicas / 100
        return math.ceil(amount) if round_up else math.floor(amount)
    return int(value or 0)


class DeploymentController:
    def __init__(self, store):
        self.store = store

    def sync(self):
        for deployment in self.store.objects("Deployment"):
            if "deletionTimestamp" not in deployment["metadata"]:
                self.sync_one(deployment)

    def _owned(self, deployment):
        uid = deployment["metadata"]["uid"]
        return [p for p in self.store.objects("Pod", deployment["metadata"]["namespace"])
                if controller_uid(p) == uid]

    def sync_one(self, deployment):
        metadata, spec = deployment["metadata"], deployment["spec"]
        ns, uid = metadata["namespace"], metadata["uid"]
        new_hash = template_hash(spec["template"])
        replicas = spec.get("replicas", 1)
        for pod in self._owned(deployment):
            if not match_selector(spec["selector"], pod["metadata"].get("labels")):
                self.store.update("Pod", ns, pod["metadata"]["name"],
                                  lambda p: release_owner(p, uid))
        owned = self._owned(deployment)
        active = [p for p in owned if is_active(p)]
        new = [p for p in active if p["metadata"]["labels"].get("pod-template-hash") == new_hash]
        old = [p for p in active if p not in new]
        if spec.get("strategy", {}).get("type") == "Recreate" and (old or any(
                "deletionTimestamp" in p["metadata"] for p in owned)):
            self._delete(ns, old, len(old))
        else:
            for _ in range(replicas - len(new)):
                self._create(deployment, new_hash)
            self._delete(ns, new, len(new) - replicas)
            ready_new = sum(1 for p in new if is_ready(p))
            self._delete(ns, old, len(old) - max(0, replicas - ready_new))
        self._set_status(deployment, new_hash)

    def _create(self, deployment, pod_hash):
        metadata, template = deployment["metadata"], deployment["spec"]["template"]
        labels = {**(template.get("metadata") or {}).get("labels", {}),
                  "pod-template-hash": pod_hash}
        pod_metadata = {"generateName": f"{metadata['name']}-{pod_hash}-", "labels": labels,
                        "ownerReferences": [{
                            "apiVersion": "apps/v1", "kind": "Deployment",
                            "name": metadata["name"], "uid": metadata["uid"],
                            "controller": True, "blockOwnerDeletion": True}]}
        annotations = (template.get("metadata") or {}).get("annotations")
        if annotations:
            pod_metadata["annotations"] = dict(annotations)
        self.store.create("Pod", metadata["namespace"], {
            "apiVersion": "v1", "kind": "Pod", "metadata": pod_metadata,
            "spec": json.loads(json.dumps(template["spec"]))}, validate=False)

    def _delete(self, namespace, pods, count):
        """Delete ``count`` of ``pods``: the not ready ones first, then the newest."""
        victims = sorted(pods, key=lambda p: (is_ready(p), p["metadata"]["creationTimestamp"],
                                              int(p["metadata"]["resourceVersion"])))
        for pod in victims[:max(0, count)]:
            if self.store.get("Pod", namespace, pod["metadata"]["name"]) is not None:
                self.store.delete("Pod", namespace, pod["metadata"]["name"])

    def _set_status(self, deployment, new_hash):
        spec, metadata = deployment["spec"], deployment["metadata"]
        replicas = spec.get("replicas", 1)
        active = [p for p in self._owned(deployment) if is_active(p)]
        new = [p for p in active if p["metadata"]["labels"].get("pod-template-hash") == new_hash]
        ready = sum(1 for p in active if is_ready(p))
        max_unavailable = _scaled(((spec.get("strategy") or {}).get("rollingUpdate") or {})
                                  .get("maxUnavailable"), replicas, round_up=False)
        rs_name = f"{metadata['name']}-{new_hash}"
        pull_failed = any(s.get("state", {}).get("waiting", {}).get("reason") in PULL_FAILURES
                          for p in new for s in p["status"].get("containerStatuses") or [])
        if pull_failed:
            progressing = ("False", "ProgressDeadlineExceeded",
                           f'ReplicaSet "{rs_name}" has timed out progressing.')
        elif len(new) == replicas == len(active) and all(is_ready(p) for p in new):
            progressing = ("True", "NewReplicaSetAvailable",
                           f'ReplicaSet "{rs_name}" has successfully progressed.')
        else:
            progressing = ("True", "ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.')
        if ready >= replicas - max_unavailable:
            available = ("True", "MinimumReplicasAvailable",
                         "Deployment has minimum availability.")
        else:
            available = ("False", "MinimumReplicasUnavailable",
                         "Deployment does not have minimum availability.")
        counts = {"replicas": len(active), "updatedReplicas": len(new), "readyReplicas": ready,
                  "availableReplicas": ready, "unavailableReplicas": max(0, replicas - ready)}
        old_conditions = {c["type"]: c
                          for c in deployment.get("status", {}).get("conditions") or []}
        conditions = [self._condition(old_conditions.get(kind), kind, *values)
                      for kind, values in (("Available", available),
                                           ("Progressing", progressing))]
        status = {"observedGeneration": metadata.get("generation", 1),
                  **{k: v for k, v in counts.items() if v}, "conditions": conditions}
        if status != deployment.get("status"):
            self.store.update("Deployment", metadata["namespace"], metadata["name"],
                              lambda d: d.update(status=status))

    @staticmethod
    def _condition(old, kind, status, reason, message):
        if old and (old["status"], old["reason"], old["message"]) == (status, reason, message):
            return old
        stamp = now()
        transition = old["lastTransitionTime"] if old and old["status"] == status else stamp
        return {"type": kind, "status": status, "lastUpdateTime": stamp,
                "lastTransitionTime": transition, "reason": reason, "message": message}


class Cluster:
    """The controllers, reconciled after each write of the store (see the module doc)."""

    def __init__(self, store, ip_prefix="127.244.0."):
        self.store = store
        self.kubelet = Kubelet(store, ip_prefix)
        self.deployments = DeploymentController(store)
        self._busy = self._again = False
        store.listeners.append(self.reconcile)

    def reconcile(self):
        with self.store.lock:
            if self._busy:
                self._again = True
                return
            self._busy = True
            try:
                for _ in range(200):
                    self._again = False
                    self.kubelet.sync()
                    self.deployments.sync()
                    if not self._again:
                        return
                raise RuntimeError("the fake cluster's controllers do not settle")
            finally:
                self._busy = False

    def close(self):
        self.kubelet.close()
