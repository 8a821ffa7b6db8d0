"""Watches of the fake Kubernetes API server, read from the store's event history.

``watch(store, kind, namespace, resource_version, label_selector, field_selector, timeout)``
returns an iterator of events ``{"type": ADDED|MODIFIED|DELETED|ERROR, "object": ...}``:
the events after ``resource_version`` (none or "0": the current objects as ADDED first),
until ``timeout`` seconds have passed or the store is closed. A version older than the
history: one ERROR event with a 410 ``Expired`` Status, as the API sends. With a selector,
an object that stops matching is DELETED for the watch and one that starts matching ADDED.
Bad arguments raise ``KubeError`` at the call, before any event.
"""
import copy
import time

from qinling_testing.kube_kinds import bad_request, kind_for


def watch(store, kind, namespace, resource_version=None, label_selector=None,
          field_selector=None, timeout=1800.0):
    kind = kind_for(kind)
    matches = store.predicate(label_selector, field_selector)
    with store.lock:
        if resource_version in (None, "", "0"):
            cursor = store.resource_version
            initial = [obj for obj in store.objects(kind.kind, namespace) if matches(obj)]
        else:
            try:
                cursor, initial = int(resource_version), []
            except ValueError:
                raise bad_request(f"invalid resource version: {resource_version!r}")
    return _events(store, kind, namespace, matches, cursor, initial,
                   time.monotonic() + timeout)


def _events(store, kind, namespace, matches, cursor, initial, deadline):
    for obj in initial:
        yield {"type": "ADDED", "object": obj}
    while True:
        with store.lock:
            if cursor < store.compacted:
                yield _expired(cursor, store.compacted)
                return
            events = store.events_after(cursor)
            while not events and not store.closed and time.monotonic() < deadline:
                store.changed.wait(deadline - time.monotonic())
                events = store.events_after(cursor)
            if not events:
                return
            cursor = events[-1].rv
        for event in events:
            if event.kind == kind.kind and namespace in (None, event.obj["metadata"].get(
                    "namespace")):
                translated = _translate(event, matches)
                if translated is not None:
                    yield translated


def _expired(cursor, oldest):
    return {"type": "ERROR", "object": {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f"too old resource version: {cursor} ({oldest + 1})", "reason": "Expired",
        "code": 410}}


def _translate(event, matches):
    """The event as a watch with a selector sees it (an object that stops matching is
    DELETED for it, one that starts to match ADDED)."""
    now_matches = matches(event.obj)
    was = matches(event.old) if event.old is not None else False
    if event.type == "MODIFIED" and now_matches != was:
        return {"type": "ADDED" if now_matches else "DELETED", "object": copy.deepcopy(event.obj)}
    if now_matches:
        return {"type": event.type, "object": copy.deepcopy(event.obj)}
    return None
