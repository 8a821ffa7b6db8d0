"""The packages the function service owns in the storage service.

An upload (``{"key", "md5sum", "sha256", "size"}`` of bytes the gateway streamed to the
storage service) is handed to ``create_function`` or ``update_function``; from then on the
function service is its one owner: :func:`settled` claims it just before the function or the
update that uses it commits, and deletes it when the request is refused or fails. An upload
never handed over or never settled (the gateway's call failed, a crash) stays unclaimed and
the storage service's reaper deletes it after ``[storage] upload_expiration``.
"""
import contextlib
import logging

LOG = logging.getLogger(__name__)


@contextlib.contextmanager
def settled(db, storage, package):
    """Within: check the request and stage the rows that use ``package`` (or ``None``). On
    leaving normally the upload is claimed, then the session committed; on any error the
    session is rolled back and the upload deleted."""
    try:
        yield
        if package is not None:
            storage.claim_package(package["key"])
        db.commit()
    except Exception:
        db.rollback()
        if package is not None:
            discard(storage, package["key"])
        raise


def discard(storage, key):
    """Delete a package (``None``: nothing); the refusal or deletion it follows matters
    more, so a failure is logged, not raised."""
    if not key:
        return
    try:
        storage.delete_package(key)
    except Exception:
        LOG.exception("could not delete package %s", key)
