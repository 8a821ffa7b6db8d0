"""The calls the kubernetes orchestrator makes, through the ``kubernetes`` client, in one
namespace, with objects as plain dicts (the API's own JSON: camelCase, as the manifests in
``manifests`` are written).

Errors: a missing object is ``None`` from ``read_*`` and nothing from ``delete_*``; a create
of a name that exists raises :class:`AlreadyExists`; a write whose precondition (the
``resourceVersion`` it carries) is stale raises :class:`Stale`; a watch from a version the
API no longer has raises :class:`Expired`; the API refusing anything
else, or not answering, is ``Unavailable`` naming the call.
"""
import contextlib
import json

import urllib3
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from qinling_shared.exceptions import Unavailable

MERGE_PATCH = "application/merge-patch+json"
CALL_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds of a call that is not a watch


class AlreadyExists(Exception):
    """A create found the name taken."""


class Stale(Exception):
    """A write's ``metadata.resourceVersion`` precondition no longer held (409 Conflict)."""


class Expired(Exception):
    """A watch's resourceVersion is too old for the API (410 Gone): list again."""


class KubeApi:
    def __init__(self, api_client, namespace):
        self.namespace = namespace
        self.core = client.CoreV1Api(api_client)
        self.apps = client.AppsV1Api(api_client)
        self.networking = client.NetworkingV1Api(api_client)

    # -- pods ---------------------------------------------------------------------------------

    def list_pods(self, selector):
        """``(pods, resourceVersion of the list)`` of the pods matching ``selector``."""
        with _errors("list pods"):
            found = _json(self.core.list_namespaced_pod(
                self.namespace, label_selector=selector, _preload_content=False,
                _request_timeout=CALL_TIMEOUT))
        return found["items"], found["metadata"]["resourceVersion"]

    def watch_pods(self, selector, resource_version, timeout):
        """Events ``(type, pod)`` of the pods matching ``selector`` after
        ``resource_version``, for at most ``timeout`` seconds."""
        stream = watch.Watch()
        with _errors("watch pods"):
            for event in stream.stream(
                    self.core.list_namespaced_pod, self.namespace, label_selector=selector,
                    resource_version=resource_version, timeout_seconds=max(1, int(timeout)),
                    allow_watch_bookmarks=False, deserialize=False,
                    _request_timeout=(CALL_TIMEOUT[0], timeout + CALL_TIMEOUT[0])):
                yield event["type"], event["object"]

    def create_pod(self, body):
        with _errors("create a pod", conflict=AlreadyExists):
            return _json(self.core.create_namespaced_pod(
                self.namespace, body, _preload_content=False, _request_timeout=CALL_TIMEOUT))

    def read_pod(self, name):
        with _errors("read a pod"):
            return _json_or_none(lambda: self.core.read_namespaced_pod(
                name, self.namespace, _preload_content=False, _request_timeout=CALL_TIMEOUT))

    def patch_pod(self, name, patch):
        """Merge ``patch`` into the pod; :class:`Stale` when its resourceVersion is not
        the pod's; ``None`` when the pod is gone."""
        with _errors("patch a pod", conflict=Stale):
            return _json_or_none(lambda: self.core.patch_namespaced_pod(
                name, self.namespace, patch, _content_type=MERGE_PATCH,
                _preload_content=False, _request_timeout=CALL_TIMEOUT))

    def delete_pod(self, name, grace_seconds):
        with _errors("delete a pod"):
            _json_or_none(lambda: self.core.delete_namespaced_pod(
                name, self.namespace, grace_period_seconds=grace_seconds,
                propagation_policy="Background", _preload_content=False,
                _request_timeout=CALL_TIMEOUT))

    def pod_logs(self, name, limit_bytes):
        """The pod's container's logs (stdout and stderr), at most ``limit_bytes``."""
        with _errors("read a pod's logs"):
            try:
                answer = self.core.read_namespaced_pod_log(
                    name, self.namespace, limit_bytes=limit_bytes, _preload_content=False,
                    _request_timeout=CALL_TIMEOUT)
            except ApiException as exc:
                if exc.status in (400, 404):  # gone, or its container never started
                    return ""
                raise
        return answer.data.decode("utf-8", "replace")

    # -- deployments and network policies -----------------------------------------------------

    def read_deployment(self, name):
        with _errors("read a deployment"):
            return _json_or_none(lambda: self.apps.read_namespaced_deployment(
                name, self.namespace, _preload_content=False, _request_timeout=CALL_TIMEOUT))

    def create_deployment(self, body):
        with _errors("create a deployment", conflict=AlreadyExists):
            return _json(self.apps.create_namespaced_deployment(
                self.namespace, body, _preload_content=False, _request_timeout=CALL_TIMEOUT))

    def patch_deployment(self, name, patch):
        with _errors("patch a deployment", conflict=Stale):
            return _json_or_none(lambda: self.apps.patch_namespaced_deployment(
                name, self.namespace, patch, _content_type=MERGE_PATCH,
                _preload_content=False, _request_timeout=CALL_TIMEOUT))

    def delete_deployment(self, name):
        """Delete the deployment and (in the background) the pods it owns."""
        with _errors("delete a deployment"):
            _json_or_none(lambda: self.apps.delete_namespaced_deployment(
                name, self.namespace, propagation_policy="Background",
                _preload_content=False, _request_timeout=CALL_TIMEOUT))

    def apply_network_policy(self, body):
        """Create the network policy, or make the one there ``body``."""
        name = body["metadata"]["name"]
        with _errors("apply a network policy"):
            current = _json_or_none(lambda: self.networking.read_namespaced_network_policy(
                name, self.namespace, _preload_content=False, _request_timeout=CALL_TIMEOUT))
            if current is None:
                self.networking.create_namespaced_network_policy(
                    self.namespace, body, _preload_content=False, _request_timeout=CALL_TIMEOUT)
            elif current.get("spec") != body["spec"]:
                replacement = dict(body, metadata=dict(
                    body["metadata"], resourceVersion=current["metadata"]["resourceVersion"]))
                self.networking.replace_namespaced_network_policy(
                    name, self.namespace, replacement, _preload_content=False,
                    _request_timeout=CALL_TIMEOUT)


def _json(response):
    return json.loads(response.data)


def _json_or_none(call):
    try:
        return _json(call())
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


@contextlib.contextmanager
def _errors(what, conflict=None):
    """Map the client's errors to this module's (see the module docstring)."""
    try:
        yield
    except ApiException as exc:
        if exc.status == 410:
            raise Expired(_message(exc)) from None
        if conflict is not None and exc.status == 409:
            raise conflict(_message(exc)) from None
        raise Unavailable(f"Kubernetes refused to {what}: {exc.status} {_message(exc)}") \
            from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise Unavailable(f"Kubernetes did not answer (to {what}): {exc}") from None


def _message(exc):
    """The ``message`` of the API's Status answer, else its reason."""
    try:
        return json.loads(exc.body or exc.data or b"{}").get("message") or exc.reason
    except (TypeError, ValueError, AttributeError):
        return exc.reason
