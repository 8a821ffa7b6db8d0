"""Uploads that no function has claimed yet: marked when stored, claimed, or reaped.

An upload ``<project_id>/<uuid>.zip`` is stored with a marker object ``@unclaimed/<key>``
whose body is the upload time (unix seconds, the storage service's clock). The function
service claims the upload just before the function (or the update) that uses it commits:
the marker goes. The reaper deletes the uploads whose marker is at least
``[storage] upload_expiration`` seconds old, e.g. when the gateway's call to the function
service failed after the upload. Markers are plain objects of the package store (no project
id holds '@'), so this works alike on every backend, and replicas sharing a store share them.

``expired`` and ``expired_uploads`` are the pure decisions; the rest calls the store.
"""
import logging

from qinling_shared.exceptions import NotFound

from qinling_storage.backends.base import not_found

LOG = logging.getLogger(__name__)
PREFIX = "@unclaimed/"


def marker_key(key):
    return f"{PREFIX}{key}"


def expired(uploaded_at, now, expiration):
    """Whether an upload made at ``uploaded_at`` (``None``: unknown) is due for reaping."""
    return uploaded_at is None or now - uploaded_at >= expiration


def expired_uploads(uploaded, now, expiration):
    """The keys, sorted, of the uploads to reap; ``uploaded`` maps key → upload time."""
    return sorted(key for key, at in uploaded.items() if expired(at, now, expiration))


def put(store, key, chunks, now):
    """Store the package ``key`` as an upload made ``now``: its marker first, so a package is
    never there without its marker until it is claimed; a failed write takes it away again."""
    store.put(marker_key(key), [f"{now:.3f}".encode("ascii")])
    try:
        store.put(key, chunks)
    except Exception:
        try:
            delete(store, key)
        except Exception:  # the store is failing: the reaper deletes the marker later
            LOG.exception("could not delete the marker of the failed upload %s", key)
        raise


def uploaded_at(store, marker):
    """The upload time a marker holds (``None`` if unreadable); ``NotFound`` once claimed."""
    text = b"".join(store.open(marker))
    try:
        return float(text.decode("ascii"))
    except ValueError:
        return None


def claim(store, key, now, expiration):
    """The upload ``key`` is a function's from now on: the reaper leaves it. Claiming again
    is no error. ``NotFound`` when the package is gone or has expired (the reaper's)."""
    if not store.exists(key):
        raise not_found(key)
    marker = marker_key(key)
    try:
        at = uploaded_at(store, marker)
    except NotFound:
        return  # claimed already
    if expired(at, now, expiration):
        raise NotFound(f"Package {key} was not claimed in time; upload it again.")
    store.delete(marker)


def delete(store, key):
    """Delete a package and its marker, if any (the package first: a marker left behind
    makes the reaper try again)."""
    store.delete(key)
    store.delete(marker_key(key))


def reap(store, now, expiration):
    """Delete every upload unclaimed for ``expiration`` seconds or more; their keys."""
    uploaded = {}
    for marker in store.keys(PREFIX):
        try:
            uploaded[marker[len(PREFIX):]] = uploaded_at(store, marker)
        except NotFound:  # claimed meanwhile
            continue
    keys = expired_uploads(uploaded, now, expiration)
    for key in keys:
        delete(store, key)
    return keys
