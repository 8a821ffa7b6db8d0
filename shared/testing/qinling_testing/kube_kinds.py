"""The resource kinds the fake Kubernetes API server serves, their defaults, and its errors.

``KINDS`` maps a kind name (``"Pod"``) to its ``Kind``; ``kind_for(name)`` also takes the
plural (``"pods"``). ``KubeError(code, reason, message)`` is an API error; ``.status()`` is
the ``Status`` body the real API answers with (``not_found``, ``already_exists``,
``conflict``, ``invalid`` build the usual ones). ``apply_defaults(obj)`` fills the defaults
the API server would (a subset: those a client commonly reads back).
"""
import dataclasses


@dataclasses.dataclass(frozen=True)
class Kind:
    kind: str
    plural: str
    group: str  # "" for the core group
    version: str
    namespaced: bool = True
    has_status: bool = True
    returns_object_on_delete: bool = False  # else a Status, as for Deployments

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def prefix(self):
        """The URL prefix of the group version: ``api/v1`` or ``apis/apps/v1``."""
        return f"apis/{self.api_version}" if self.group else f"api/{self.version}"


KINDS = {kind.kind: kind for kind in (
    Kind("Namespace", "namespaces", "", "v1", namespaced=False),
    Kind("Pod", "pods", "", "v1", returns_object_on_delete=True),
    Kind("Service", "services", "", "v1"),
    Kind("ConfigMap", "configmaps", "", "v1", has_status=False),
    Kind("Secret", "secrets", "", "v1", has_status=False),
    Kind("Deployment", "deployments", "apps", "v1"),
    Kind("NetworkPolicy", "networkpolicies", "networking.k8s.io", "v1", has_status=False),
)}
GROUP_VERSIONS = sorted({kind.prefix for kind in KINDS.values()})


def kind_for(name):
    """The ``Kind`` of a kind name or plural; ``KeyError`` if the fake does not serve it."""
    for kind in KINDS.values():
        if name in (kind.kind, kind.plural):
            return kind
    raise KeyError(name)


def route(prefix, plural):
    """The ``Kind`` served at ``prefix`` (``api/v1``, ``apis/apps/v1``) + ``plural``, or None."""
    return next((k for k in KINDS.values() if k.prefix == prefix and k.plural == plural), None)


class KubeError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}
        if self.details is not None:
            body["details"] = self.details
        return body


def _resource(kind):
    return {"group": kind.group, "kind": kind.plural} if kind.group else {"kind": kind.plural}


def _qualified(kind):
    return f"{kind.plural}.{kind.group}" if kind.group else kind.plural


def not_found(kind, name):
    return KubeError(404, "NotFound", f'{_qualified(kind)} "{name}" not found',
                     {"name": name, **_resource(kind)})


def already_exists(kind, name):
    return KubeError(409, "AlreadyExists", f'{_qualified(kind)} "{name}" already exists',
                     {"name": name, **_resource(kind)})


def conflict(kind, name, why="the object has been modified; please apply your changes to "
                             "the latest version and try again"):
    return KubeError(409, "Conflict",
                     f'Operation cannot be fulfilled on {_qualified(kind)} "{name}": {why}',
                     {"name": name, **_resource(kind)})


def invalid(kind, name, errors):
    causes = [{"reason": "FieldValueInvalid", "message": error,
               "field": error.split(":", 1)[0].split("] ")[-1]} for error in errors]
    return KubeError(422, "Invalid", f'{kind.kind} "{name}" is invalid: ' + "; ".join(errors),
                     {"name": name, "group": kind.group, "kind": kind.kind, "causes": causes})


def bad_request(message):
    return KubeError(400, "BadRequest", message)


def _default_container(container):
    image = container.get("image", "")
    tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
    container.setdefault("imagePullPolicy", "Always" if tag in ("", "latest") else "IfNotPresent")
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")


def default_pod_spec(spec):
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        _default_container(container)


def apply_defaults(obj):
    """Fill API-server defaults into ``obj`` in place (a subset, see the module doc)."""
    spec = obj.get("spec")
    if obj["kind"] == "Pod" and isinstance(spec, dict):
        default_pod_spec(spec)
    if obj["kind"] == "Deployment" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        strategy = spec.setdefault("strategy", {"type": "RollingUpdate"})
        if strategy.get("type", "RollingUpdate") == "RollingUpdate":
            strategy.setdefault("type", "RollingUpdate")
            strategy.setdefault("rollingUpdate", {})
            strategy["rollingUpdate"].setdefault("maxSurge", "25%")
            strategy["rollingUpdate"].setdefault("maxUnavailable", "25%")
        template_spec = (spec.get("template") or {}).get("spec")
        if isinstance(template_spec, dict):
            default_pod_spec(template_spec)
    if obj["kind"] == "NetworkPolicy" and isinstance(spec, dict):
        spec.setdefault("policyTypes", ["Ingress"] + (["Egress"] if "egress" in spec else []))
    if obj["kind"] == "Service" and isinstance(spec, dict):
        spec.setdefault("type", "ClusterIP")
        for port in spec.get("ports") or []:
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))
    return obj
