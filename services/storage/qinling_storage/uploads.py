"""Receive one uploaded package: spool the body to a temporary file, check it, store it
as an unclaimed upload (see ``unclaimed``)."""
import tempfile

from eventlet import tpool

from qinling_shared.exceptions import InvalidInput

from qinling_storage import packages, unclaimed

# Larger than packages.CHUNK_SIZE: fewer trips through eventlet's socket reads and the
# digests (a 50 MiB upload is ~30% faster than with 64 KiB); still small beside the package.
BODY_CHUNK_SIZE = 1024 * 1024


def read_body(stream, chunk_size=None):
    """The request body in chunks; a broken body (bad chunking, client gone) is a 400."""
    chunk_size = chunk_size or BODY_CHUNK_SIZE
    while True:
        try:
            chunk = stream.read(chunk_size)
        except (ValueError, OSError) as exc:
            raise InvalidInput(f"Could not read the request body: {exc}") from None
        if not chunk:
            return
        yield chunk


def receive_package(storage, project_id, body, content_length, now):
    """Store the ZIP read from ``body`` as an upload made ``now`` (unclaimed); return
    ``{"key", "md5sum", "sha256", "size"}``.

    Never holds the body in memory; on any error nothing is stored (the spool file is
    anonymous and vanishes when closed, ``put`` is atomic, and the marker goes again).
    """
    key = packages.package_key(project_id)
    packages.check_declared_size(content_length, storage.max_package_size)
    with tempfile.TemporaryFile(prefix="qinling-upload-") as spool:
        digest = packages.copy_digesting(
            read_body(body), spool.write, storage.max_package_size)
        if content_length is not None and digest.size != content_length:
            raise InvalidInput("The request body is shorter than its Content-Length.")
        spool.seek(0)
        # decompressing a large package is CPU work: keep it off the eventlet hub
        tpool.execute(packages.validate_zip, spool, storage.zip_limits)
        spool.seek(0)
        unclaimed.put(storage.store, key, packages.iter_chunks(spool, BODY_CHUNK_SIZE), now)
    return {"key": key, "md5sum": digest.md5, "sha256": digest.sha256, "size": digest.size}

