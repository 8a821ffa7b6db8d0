"""Label and field selectors as the Kubernetes API reads them, for the fake API server.

``parse_label_selector(text)`` reads a ``labelSelector`` query (``a=b``, ``a==b``, ``a!=b``,
``a``, ``!a``, ``a in (x,y)``, ``a notin (x,y)``, comma-separated, all must hold) into a
predicate on a labels dict. ``match_selector(selector, labels)`` applies an API
``LabelSelector`` object (``matchLabels`` + ``matchExpressions``). ``parse_field_selector``
reads a ``fieldSelector`` (``f=v``, ``f==v``, ``f!=v``) over the fields in ``FIELDS``.
Malformed input raises ``ValueError`` (the server answers 400 BadRequest).
"""
import re

FIELDS = {
    "metadata.name": lambda obj: obj.get("metadata", {}).get("name", ""),
    "metadata.namespace": lambda obj: obj.get("metadata", {}).get("namespace", ""),
    "status.phase": lambda obj: (obj.get("status") or {}).get("phase", ""),
    "spec.nodeName": lambda obj: (obj.get("spec") or {}).get("nodeName", ""),
}
_SET = re.compile(r"^\s*(!?)\s*([^\s!=(),]+)\s*"
                  r"(?:(in|notin)\s*\(([^)]*)\)|(==|=|!=)\s*([^\s,]*))?\s*$")


def _split(text):
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def _requirement(text):
    match = _SET.match(text)
    if match is None:
        raise ValueError(f"unable to parse requirement: {text!r}")
    negated, key, set_op, values, op, value = match.groups()
    if negated and (set_op or op):
        raise ValueError(f"unable to parse requirement: {text!r}")
    if negated:
        return lambda labels: key not in labels
    if set_op:
        members = {v.strip() for v in values.split(",") if v.strip()}
        if set_op == "in":
            return lambda labels: labels.get(key) in members
        return lambda labels: labels.get(key) not in members
    if op in ("=", "=="):
        return lambda labels: labels.get(key) == value
    if op == "!=":
        return lambda labels: labels.get(key) != value
    return lambda labels: key in labels


def parse_label_selector(text):
    """A predicate ``labels -> bool`` for a ``labelSelector`` query string (None/"" = all)."""
    requirements = [_requirement(part) for part in _split(text or "")]
    return lambda labels: all(req(labels or {}) for req in requirements)


def parse_field_selector(text):
    """A predicate ``object -> bool`` for a ``fieldSelector`` query string (None/"" = all)."""
    checks = []
    for part in _split(text or ""):
        match = re.match(r"^\s*([\w.]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if match is None:
            raise ValueError(f"invalid field selector: {part!r}")
        field, op, value = match.groups()
        if field not in FIELDS:
            raise ValueError(f'field label not supported: {field}')
        getter = FIELDS[field]
        if op == "!=":
            checks.append(lambda obj, g=getter, v=value: g(obj) != v)
        else:
            checks.append(lambda obj, g=getter, v=value: g(obj) == v)
    return lambda obj: all(check(obj) for check in checks)


def match_selector(selector, labels):
    """Whether ``labels`` match an API ``LabelSelector`` dict (an empty selector matches all,
    a None selector matches nothing, as for a Deployment or a NetworkPolicy)."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, op = expression["key"], expression["operator"]
        values = set(expression.get("values") or [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True
