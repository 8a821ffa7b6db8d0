"""The three PATCH bodies the Kubernetes API takes, applied to plain dicts.

``apply_patch(content_type, obj, patch)`` returns a new object. A malformed patch raises
``ValueError`` (the server answers 400), a json-patch operation that cannot apply raises
``PatchFailed``, a ``ValueError`` too (422).

* ``application/merge-patch+json``: RFC 7386 (maps merge, ``null`` deletes, lists replace).
* ``application/strategic-merge-patch+json``: simplified. Maps merge as above; a list whose
  field name is in ``MERGE_KEYS`` (``containers`` by ``name``, ``ports`` by ``containerPort``,
  ...) merges item by item on that key when every item has it (the field name alone decides,
  not the object's type); a ``{"$patch": "delete", key: ...}`` item deletes that item; every
  other list is replaced. ``$setElementOrder``, ``$retainKeys`` and
  ``$deleteFromPrimitiveList`` directives are dropped.
* ``application/json-patch+json``: RFC 6902 (add, remove, replace, move, copy, test).
"""
import copy


class PatchFailed(ValueError):
    """A well-formed json-patch whose operation cannot apply (422)."""

MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "env": "name", "volumes": "name", "volumeMounts": "mountPath", "ports": "containerPort",
    "imagePullSecrets": "name", "conditions": "type", "ownerReferences": "uid",
    "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
}
CONTENT_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json",
                 "application/json-patch+json")


def apply_patch(content_type, obj, patch):
    """``obj`` patched by ``patch`` (already JSON-decoded) of ``content_type``."""
    content_type = (content_type or "").split(";")[0].strip()
    if content_type == "application/json-patch+json":
        if not isinstance(patch, list):
            raise ValueError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        return json_patch(obj, patch)
    if not isinstance(patch, dict):
        raise ValueError("the patch is not a JSON object")
    if content_type == "application/merge-patch+json":
        return merge_patch(obj, patch)
    if content_type == "application/strategic-merge-patch+json":
        return strategic_merge_patch(obj, patch)
    raise ValueError(f"unsupported patch type {content_type!r}")


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge_patch(target, patch, field=None):
    if not isinstance(patch, dict):
        if isinstance(patch, list) and isinstance(target, list) and field in MERGE_KEYS:
            return _merge_list(target, patch, MERGE_KEYS[field])
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = strategic_merge_patch(result.get(key), value, key)
    return result


def _merge_list(target, patch, key):
    if not all(isinstance(item, dict) and key in item for item in target + patch):
        return [item for item in copy.deepcopy(patch) if not _directive(item)]
    result = copy.deepcopy(target)
    for item in patch:
        index = next((i for i, old in enumerate(result) if old[key] == item[key]), None)
        if item.get("$patch") == "delete":
            if index is not None:
                del result[index]
        elif index is None:
            result.append(strategic_merge_patch({}, item))
        else:
            result[index] = strategic_merge_patch(result[index], item)
    return result


def _directive(item):
    return isinstance(item, dict) and "$patch" in item


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise ValueError(f"invalid JSON pointer {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _parent(doc, parts):
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _get(doc, parts):
    node = doc
    for part in parts:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _remove(doc, parts):
    parent = _parent(doc, parts)
    if isinstance(parent, list):
        return parent.pop(int(parts[-1]))
    return parent.pop(parts[-1])


def _add(doc, parts, value):
    if not parts:
        return value
    parent = _parent(doc, parts)
    if isinstance(parent, list):
        index = len(parent) if parts[-1] == "-" else int(parts[-1])
        if not 0 <= index <= len(parent):
            raise IndexError(parts[-1])
        parent.insert(index, value)
    else:
        parent[parts[-1]] = value
    return doc


def json_patch(obj, operations):
    doc = copy.deepcopy(obj)
    for operation in operations:
        try:
            op, parts = operation["op"], _pointer(operation["path"])
            if op == "add":
                doc = _add(doc, parts, copy.deepcopy(operation["value"]))
            elif op == "remove":
                _remove(doc, parts)
            elif op == "replace":
                _get(doc, parts)
                _remove(doc, parts)
                doc = _add(doc, parts, copy.deepcopy(operation["value"]))
            elif op in ("move", "copy"):
                source = _pointer(operation["from"])
                value = _remove(doc, source) if op == "move" else copy.deepcopy(_get(doc, source))
                doc = _add(doc, parts, value)
            elif op == "test":
                if _get(doc, parts) != operation["value"]:
                    raise PatchFailed(f"testing value {operation['path']} failed")
            else:
                raise ValueError(f"unexpected operation {op!r}")
        except (KeyError, IndexError, TypeError) as error:
            raise PatchFailed(f"the json patch operation {operation!r} failed: {error!r}")
    return doc
