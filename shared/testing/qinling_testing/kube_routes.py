"""The URL space of the fake Kubernetes API server: ``/version``, discovery documents, and
``parse_path`` from a resource path to ``(kind, namespace, name, subresource)`` (404
``KubeError`` for anything the fake does not serve, e.g. ``/apis/extensions/v1beta1/...``).
"""
from qinling_testing.kube_kinds import GROUP_VERSIONS, KINDS, KubeError, route

VERSION = {"major": "1", "minor": "30", "gitVersion": "v1.30.0", "gitCommit": "fake",
           "gitTreeState": "clean", "buildDate": "2024-04-17T00:00:00Z",
           "goVersion": "go1.22.2", "compiler": "gc", "platform": "linux/amd64"}


def not_served():
    """The API's 404 for a path it does not serve."""
    return KubeError(404, "NotFound", "the server could not find the requested resource", {})


def resource_list(prefix):
    kinds = [k for k in KINDS.values() if k.prefix == prefix]
    verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    resources = []
    for kind in kinds:
        resources.append({"name": kind.plural, "singularName": kind.kind.lower(),
                          "namespaced": kind.namespaced, "kind": kind.kind, "verbs": verbs})
        for sub in (["status"] if kind.has_status else []) + (["log"] if kind.kind == "Pod"
                                                              else []):
            resources.append({"name": f"{kind.plural}/{sub}", "singularName": "",
                              "namespaced": kind.namespaced,
                              "kind": "Pod" if sub == "log" else kind.kind,
                              "verbs": ["get"] if sub == "log" else ["get", "patch", "update"]})
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": kinds[0].api_version, "resources": resources}


def groups():
    groups = sorted({k.group for k in KINDS.values() if k.group})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": group, "versions": [{"groupVersion": f"{group}/v1", "version": "v1"}],
         "preferredVersion": {"groupVersion": f"{group}/v1", "version": "v1"}}
        for group in groups]}


def parse_path(parts):
    """``(kind, namespace, name, subresource)`` of a resource path, else ``KubeError``."""
    if parts[:1] == ["api"] and len(parts) >= 2:
        prefix, rest = "/".join(parts[:2]), parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        prefix, rest = "/".join(parts[:3]), parts[3:]
    else:
        raise not_served()
    if prefix not in GROUP_VERSIONS or not rest:
        raise not_served()
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
    if len(rest) > 3:
        raise not_served()
    kind = route(prefix, rest[0])
    name, sub = (rest + [None, None])[1:3]
    if kind is None or (namespace is not None and not kind.namespaced) or \
            (kind.namespaced and namespace is None and name is not None) or \
            sub not in (None, "status", "log") or (sub == "status" and not kind.has_status) or \
            (sub == "log" and kind.kind != "Pod"):
        raise not_served()
    return kind, namespace, name, sub


def rbac_verb(method, name, query):
    """The RBAC verb of a request, as the API server names it."""
    if method == "GET":
        if name is None:
            return "watch" if query.get("watch") in ("true", "1", "True") else "list"
        return "get"
    if method == "DELETE" and name is None:
        return "deletecollection"
    return {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}[method]
