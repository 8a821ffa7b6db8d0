"""The contract every package store (local disk, memory, later Swift and S3) fulfils."""
import abc
from typing import Iterable, Iterator

from qinling_shared.exceptions import InvalidInput, NotFound

MAX_KEY_LENGTH = 1024


def check_key(key):
    """Refuse a key that is not a relative, '/'-separated name of plain segments.

    Every backend calls this, so a key that could escape a directory or a bucket prefix is
    refused the same way everywhere. Segments may not start with '.', which also keeps
    '.' and '..' out and leaves dot-names free for a backend's temporary files.
    """
    if not isinstance(key, str) or not key:
        raise InvalidInput("Package key must be a non-empty string.")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"Package key is longer than {MAX_KEY_LENGTH} characters.")
    if key.startswith("/"):
        raise InvalidInput(f"Package key must be relative, not {key!r}.")
    if any(ord(ch) < 32 or ch == "\\" for ch in key):
        raise InvalidInput("Package key must not contain control characters or '\\'.")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidInput(
                f"Package key {key!r} has an empty, '.' or '..' segment.")
        if segment.startswith("."):
            raise InvalidInput(f"Package key {key!r} has a segment starting with '.'.")


def check_prefix(prefix):
    """Refuse a prefix that is not a valid key followed by '/' (a "folder" of keys)."""
    if not isinstance(prefix, str) or not prefix.endswith("/"):
        raise InvalidInput("A key prefix must be a string ending with '/'.")
    check_key(prefix[:-1])


def not_found(key):
    return NotFound(f"Package {key} not found.")


class PackageStore(abc.ABC):
    """Bytes by key.

    Keys are relative '/'-separated names checked by :func:`check_key`; a bad key raises
    ``InvalidInput`` from every method. Contract:

    - ``put(key, chunks)`` writes the object from an iterable of ``bytes`` and returns the
      number of bytes written. It is atomic: a reader sees the old object or the whole new
      one, never a partial one, and an iterator that raises leaves nothing behind (the old
      object, if any, stays). Writing an existing key replaces it.
    - ``open(key)`` returns an iterator of ``bytes`` chunks; a missing key raises
      ``qinling_shared.exceptions.NotFound`` at the call, before any chunk is read. Close
      the iterator (or exhaust it) to release what it holds.
    - ``size(key)`` is the object's size in bytes; ``NotFound`` if missing.
    - ``delete(key)`` removes the object; deleting a missing key is not an error.
    - ``exists(key)`` tells whether the object is there.
    - ``keys(prefix)`` lists the keys of the stored objects that start with ``prefix`` (a
      valid key followed by '/', checked by :func:`check_prefix`), at any depth, in no set
      order; a write in progress is not listed. Nothing stored there: an empty list.

    Constructors take explicit keyword settings; ``from_settings`` picks them out of the
    ``STORAGE`` container config dict so the service never knows which backend it runs.
    """

    @classmethod
    @abc.abstractmethod
    def from_settings(cls, settings: dict) -> "PackageStore":
        """Build the store from the ``STORAGE`` config dict."""

    @abc.abstractmethod
    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        """Store ``chunks`` under ``key`` atomically; return the size written."""

    @abc.abstractmethod
    def open(self, key: str) -> Iterator[bytes]:
        """The object's bytes in chunks; ``NotFound`` if missing."""

    @abc.abstractmethod
    def size(self, key: str) -> int:
        """The object's size in bytes; ``NotFound`` if missing."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object if it exists."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""

    @abc.abstractmethod
    def keys(self, prefix: str) -> list[str]:
        """The keys of the objects stored under ``prefix`` (which ends with '/')."""
