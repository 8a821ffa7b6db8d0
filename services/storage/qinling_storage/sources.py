"""The bytes behind a reference (see ``references``): the package store, or Swift."""
from qinling_shared.exceptions import InvalidInput, NotFound

from qinling_storage import references

NOT_SUPPORTED = "Swift object not supported."
NOT_VALIDATED = "Failed to validate object in Swift."


def swift_account(storage):
    if storage.swift is None:  # no [swift] auth_url
        raise InvalidInput(NOT_SUPPORTED)
    return storage.swift


def _missing(obj):
    return NotFound(f"Swift object {obj.container}/{obj.name} not found.")


def open_reference(storage, key):
    """``(size, chunks)`` of a package or Swift object; ``NotFound`` if it is missing.
    ``size`` is ``None`` when Swift does not tell it (a chunked large-object manifest)."""
    obj = references.parse_swift(key)
    if obj is None:
        size = storage.store.size(key)
        return size, storage.store.open(key)
    try:
        headers, chunks = swift_account(storage).get_object(obj.container, obj.name)
    except NotFound:
        raise _missing(obj) from None
    length = headers.get("content-length")
    return (int(length) if length is not None else None), chunks


def stat_reference(storage, key):
    """``{"key", "size"}`` of a package or Swift object; ``NotFound`` if it is missing."""
    obj = references.parse_swift(key)
    if obj is None:
        return {"key": key, "size": storage.store.size(key)}
    try:
        headers = swift_account(storage).head_object(obj.container, obj.name)
    except NotFound:
        raise _missing(obj) from None
    return {"key": key, "size": int(headers["content-length"])}


def stat_swift_object(storage, container, name):
    """``{"size", "etag"}`` of a Swift object usable as function code.

    ``InvalidInput(NOT_VALIDATED)`` (Qinling's text) when it is missing or larger than
    ``[swift] max_object_size``.
    """
    account = swift_account(storage)
    obj = references.swift_object(container, name)
    try:
        headers = account.head_object(obj.container, obj.name)
    except NotFound:
        raise InvalidInput(NOT_VALIDATED) from None
    size = int(headers["content-length"])
    if size > storage.max_swift_object_size:
        raise InvalidInput(NOT_VALIDATED)
    return {"size": size, "etag": headers.get("etag", "").strip('"')}
