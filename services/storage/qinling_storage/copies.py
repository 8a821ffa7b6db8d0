"""Copy a package (or a Swift object used as code) to a new, independent package key."""
from qinling_shared.exceptions import InvalidInput

from qinling_storage import packages, references, sources


def copy_package(storage, key, project_id):
    """Stream ``key`` into a fresh key of ``project_id``; ``{"key", "md5sum", "sha256",
    "size"}`` of the copy, digested on the way. ``NotFound`` if ``key`` is missing."""
    new_key = packages.package_key(project_id)
    from_swift = references.parse_swift(key) is not None
    limit = storage.max_swift_object_size if from_swift else None
    size, chunks = sources.open_reference(storage, key)
    try:
        if limit is not None and size is not None and size > limit:
            raise InvalidInput(sources.NOT_VALIDATED)
        digesting = packages.Digesting(chunks, limit)
        storage.store.put(new_key, digesting)
    finally:
        chunks.close()
    digest = digesting.digest()
    return {"key": new_key, "md5sum": digest.md5, "sha256": digest.sha256,
            "size": digest.size}
