"""The objects of the fake Kubernetes API server, with resourceVersions and watches.

One global, monotonically increasing resourceVersion (as etcd's revision); every write is
an event kept in a bounded history (``history`` events) that watches read from. The API
verbs (``create``, ``replace``, ``patch``, ``delete``, ``delete_collection``, ``list``,
``read``, ``watch``) check what the API server checks and raise ``KubeError``; what they
keep is validated by ``validator(obj, old)`` (a refused object is recorded in ``rejected``
as ``(verb, kind, namespace/name, errors)`` and answered 422). The controllers of
``kube_cluster`` write through ``update``, ``create(..., validate=False)`` and ``remove``.
``listeners`` are called (under the lock) after every write: the cluster reconciles there.

``watch`` is ``kube_watch.watch``. Test accessors: ``objects(kind, namespace=None)``,
``get(kind, namespace, name)`` (None if absent), ``resource_version``; kinds by name
(``"Pod"``) or plural (``"pods"``). Everything returned is a copy.
"""
import collections
import copy
import datetime
import random
import threading
import uuid

from qinling_testing.kube_kinds import (
    KubeError, already_exists, apply_defaults, bad_request, conflict, invalid, kind_for,
    not_found)
from qinling_testing.kube_patches import PatchFailed, apply_patch
from qinling_testing.kube_selectors import parse_field_selector, parse_label_selector
from qinling_testing.kube_watch import watch

SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                 "deletionGracePeriodSeconds", "generation", "managedFields", "selfLink")
ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # the API server's random name suffixes
Event = collections.namedtuple("Event", "rv type kind obj old")


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def random_suffix(length=5):
    return "".join(random.choice(ALPHABET) for _ in range(length))


def _labels(obj):
    return obj["metadata"].get("labels") or {}


class Store:
    def __init__(self, validator=None, history=1000, namespaces=("default",)):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.validator = validator or (lambda obj, old=None: [])
        self.rejected, self.listeners = [], []
        self.graceful_pods = False  # the kubelet's ``graceful``: pods wait for ``reap``
        self.closed = False
        self._objects, self._rv, self._compacted = {}, 0, 0
        self._history = collections.deque(maxlen=history)
        for name in dict.fromkeys(("default", "kube-system", *namespaces)):
            self.create("Namespace", None, {"metadata": {"name": name}})

    # -- test accessors
    def objects(self, kind, namespace=None):
        kind = kind_for(kind).kind
        with self.lock:
            return [copy.deepcopy(obj) for (k, ns, _), obj in sorted(self._objects.items())
                    if k == kind and namespace in (None, ns)]

    def get(self, kind, namespace, name):
        with self.lock:
            obj = self._objects.get((kind_for(kind).kind, namespace, name))
            return copy.deepcopy(obj)

    @property
    def resource_version(self):
        return self._rv

    @property
    def compacted(self):
        """The newest version dropped from the history (a watch from before it gets 410)."""
        return self._compacted

    def events_after(self, resource_version):
        """The kept events newer than ``resource_version`` (call under ``lock``)."""
        return [event for event in self._history if event.rv > resource_version]

    # -- writes shared by the verbs and the controllers
    def _put(self, obj, event_type, old=None):
        self._rv += 1
        obj["metadata"]["resourceVersion"] = str(self._rv)
        key = (obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"])
        if event_type == "DELETED":
            self._objects.pop(key, None)
        else:
            self._objects[key] = copy.deepcopy(obj)
        if len(self._history) == self._history.maxlen:
            self._compacted = self._history[0].rv
        self._history.append(Event(self._rv, event_type, obj["kind"], copy.deepcopy(obj), old))
        self.changed.notify_all()
        for listener in list(self.listeners):
            listener()
        return copy.deepcopy(obj)

    def _check(self, verb, kind, obj, old=None):
        errors = self.validator(obj, old)
        if errors:
            where = f"{obj['metadata'].get('namespace')}/{obj['metadata'].get('name')}"
            self.rejected.append((verb, kind.kind, where, errors))
            raise invalid(kind, obj["metadata"].get("name", ""), errors)

    def read(self, kind, namespace, name):
        kind = kind_for(kind)
        obj = self._objects.get((kind.kind, namespace if kind.namespaced else None, name))
        if obj is None:
            raise not_found(kind, name)
        return copy.deepcopy(obj)

    def update(self, kind, namespace, name, mutate):
        """Controllers' write: ``mutate(obj)`` changes a copy in place; kept if it changed.
        Returns the object (None if it no longer exists)."""
        with self.lock:
            old = self._objects.get((kind_for(kind).kind, namespace, name))
            if old is None:
                return None
            new = copy.deepcopy(old)
            mutate(new)
            return self._put(new, "MODIFIED", copy.deepcopy(old)) if new != old else new

    # -- the API verbs
    def _body(self, kind, namespace, body):
        if not isinstance(body, dict):
            raise bad_request("the body of the request is not a JSON object")
        obj = copy.deepcopy(body)
        if obj.setdefault("kind", kind.kind) != kind.kind or \
                obj.setdefault("apiVersion", kind.api_version) != kind.api_version:
            raise bad_request(f"the API version in the data ({obj['apiVersion']}) does not "
                              f"match the expected API version ({kind.api_version})")
        metadata = obj.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise bad_request("metadata is not an object")
        if kind.namespaced:
            if metadata.setdefault("namespace", namespace) != namespace:
                raise bad_request("the namespace of the provided object does not match the "
                                  "namespace sent on the request")
        return obj

    def _namespace_exists(self, kind, namespace):
        if kind.namespaced and ("Namespace", None, namespace) not in self._objects:
            raise not_found(kind_for("Namespace"), namespace)

    def create(self, kind, namespace, body, validate=True):
        kind = kind_for(kind)
        with self.lock:
            obj = self._body(kind, namespace, body)
            self._namespace_exists(kind, namespace)
            metadata = obj["metadata"]
            for field in SERVER_FIELDS:
                metadata.pop(field, None)
            if not metadata.get("name") and metadata.get("generateName"):
                metadata["name"] = metadata["generateName"] + random_suffix()
                while (kind.kind, namespace, metadata["name"]) in self._objects:
                    metadata["name"] = metadata["generateName"] + random_suffix()
            if not metadata.get("name"):
                raise invalid(kind, "", ["metadata.name: Required value: name or generateName "
                                         "is required"])
            if (kind.kind, metadata.get("namespace"), metadata["name"]) in self._objects:
                raise already_exists(kind, metadata["name"])
            metadata.update(uid=str(uuid.uuid4()), creationTimestamp=now())
            if kind.kind in ("Deployment", "NetworkPolicy"):
                metadata["generation"] = 1
            if kind.has_status:
                obj["status"] = {"Pod": {"phase": "Pending"},
                                 "Namespace": {"phase": "Active"}}.get(kind.kind, {})
            apply_defaults(obj)
            if validate:
                self._check("create", kind, obj)
            return self._put(obj, "ADDED")

    def _update(self, verb, kind, old, new, subresource):
        if new["metadata"].get("resourceVersion", old["metadata"]["resourceVersion"]) != \
                old["metadata"]["resourceVersion"]:
            raise conflict(kind, old["metadata"]["name"])
        if new["metadata"].get("name") != old["metadata"]["name"]:
            raise bad_request(f"the name of the object ({new['metadata'].get('name')}) does "
                              f"not match the name on the URL ({old['metadata']['name']})")
        if subresource == "status":
            new = {**copy.deepcopy(old), "status": new.get("status", {})}
        else:
            if kind.has_status:
                new["status"] = copy.deepcopy(old.get("status", {}))
            for field in SERVER_FIELDS:
                if field in old["metadata"]:
                    new["metadata"][field] = old["metadata"][field]
                else:
                    new["metadata"].pop(field, None)
            apply_defaults(new)
            if "generation" in old["metadata"] and new.get("spec") != old.get("spec"):
                new["metadata"]["generation"] = old["metadata"]["generation"] + 1
        self._check(verb, kind, new, old)
        return self._put(new, "MODIFIED", old) if new != old else new

    def replace(self, kind, namespace, name, body, subresource=None):
        kind = kind_for(kind)
        with self.lock:
            old = self.read(kind.kind, namespace, name)
            return self._update("replace", kind, old, self._body(kind, namespace, body),
                                subresource)

    def patch(self, kind, namespace, name, content_type, patch, subresource=None):
        kind = kind_for(kind)
        with self.lock:
            old = self.read(kind.kind, namespace, name)
            try:
                new = apply_patch(content_type, old, patch)
            except PatchFailed as error:
                raise KubeError(422, "Invalid", str(error))
            except ValueError as error:
                raise bad_request(str(error))
            return self._update("patch", kind, old, self._body(kind, namespace, new),
                                subresource)

    def delete(self, kind, namespace, name, options=None):
        """The deleted object (or, where the API answers so, a Success ``Status``)."""
        kind, options = kind_for(kind), options or {}
        with self.lock:
            obj = self.read(kind.kind, namespace, name)
            preconditions = options.get("preconditions") or {}
            for field in ("uid", "resourceVersion"):
                if preconditions.get(field) not in (None, obj["metadata"][field]):
                    raise conflict(kind, name, f"Precondition failed: {field}")
            grace = options.get("gracePeriodSeconds")
            if kind.kind == "Pod" and self.graceful_pods and grace != 0 \
                    and "deletionTimestamp" not in obj["metadata"]:
                if grace is None:
                    grace = obj["spec"].get("terminationGracePeriodSeconds", 30)
                obj["metadata"].update(deletionTimestamp=now(), deletionGracePeriodSeconds=grace)
                return self._put(obj, "MODIFIED", self.read(kind.kind, namespace, name))
            policy = options.get("propagationPolicy") or \
                ("Orphan" if options.get("orphanDependents") else "Background")
            deleted = self.remove(kind.kind, namespace, name, policy)
            if kind.returns_object_on_delete:
                return deleted
            return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                    "details": {"name": name, "group": kind.group, "kind": kind.plural,
                                "uid": obj["metadata"]["uid"]}}

    def remove(self, kind, namespace, name, propagation="Background"):
        """Delete at once; dependents (ownerReferences) are deleted too, or released when
        ``propagation`` is ``Orphan``. Returns the object, None if it was absent."""
        with self.lock:
            obj = self._objects.get((kind_for(kind).kind, namespace, name))
            if obj is None:
                return None
            deleted = self._put(copy.deepcopy(obj), "DELETED", copy.deepcopy(obj))
            uid = obj["metadata"]["uid"]
            for (k, ns, n), other in list(self._objects.items()):
                if k != "Namespace" and obj["kind"] == "Namespace" and ns == name:
                    self.remove(k, ns, n, propagation)
                elif any(ref.get("uid") == uid
                         for ref in other["metadata"].get("ownerReferences") or []):
                    if propagation == "Orphan":
                        self.update(k, ns, n, lambda o: release_owner(o, uid))
                    else:
                        self.remove(k, ns, n, propagation)
            return deleted

    def list(self, kind, namespace, label_selector=None, field_selector=None):
        kind = kind_for(kind)
        matches = self.predicate(label_selector, field_selector)
        with self.lock:
            items = [obj for obj in self.objects(kind.kind, namespace) if matches(obj)]
            for item in items:
                item.pop("kind", None), item.pop("apiVersion", None)
            return {"kind": f"{kind.kind}List", "apiVersion": kind.api_version,
                    "metadata": {"resourceVersion": str(self._rv)}, "items": items}

    def delete_collection(self, kind, namespace, label_selector=None, field_selector=None,
                          options=None):
        with self.lock:
            listed = self.list(kind, namespace, label_selector, field_selector)
            for item in listed["items"]:
                self.delete(kind, namespace, item["metadata"]["name"], options)
            return listed

    @staticmethod
    def predicate(label_selector, field_selector):
        """``object -> bool`` for the selectors of a list or watch query (400 if bad)."""
        try:
            labels = parse_label_selector(label_selector)
            fields = parse_field_selector(field_selector)
        except ValueError as error:
            raise bad_request(str(error))
        return lambda obj: labels(_labels(obj)) and fields(obj)

    def watch(self, kind, namespace, resource_version=None, label_selector=None,
              field_selector=None, timeout=1800.0):
        """See ``kube_watch.watch``."""
        return watch(self, kind, namespace, resource_version, label_selector, field_selector,
                     timeout)

    def close(self):
        with self.lock:
            self.closed = True
            self.changed.notify_all()


def release_owner(obj, uid):
    """Drop ``obj``'s ownerReference to ``uid`` (in place)."""
    obj["metadata"]["ownerReferences"] = [
        ref for ref in obj["metadata"].get("ownerReferences") or [] if ref.get("uid") != uid]
    if not obj["metadata"]["ownerReferences"]:
        del obj["metadata"]["ownerReferences"]
