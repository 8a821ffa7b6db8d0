"""Rules for uploaded packages: key naming, size and digest while copying, ZIP validation.

Pure: no I/O besides the file objects and callables handed in.
"""
import dataclasses
import hashlib
import lzma
import re
import stat
import uuid
import zipfile
import zlib

from qinling_shared.exceptions import InvalidInput, PayloadTooLarge

CHUNK_SIZE = 64 * 1024
NOT_A_ZIP = "Package is not a valid ZIP package."
_PROJECT_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}$")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclasses.dataclass(frozen=True)
class ZipLimits:
    """Bounds on what a package unpacks to (zip bombs)."""

    max_files: int = 10_000
    max_unpacked_size: int = 512 * 1024 * 1024


DEFAULT_LIMITS = ZipLimits()


@dataclasses.dataclass(frozen=True)
class Digest:
    md5: str
    sha256: str
    size: int


def package_key(project_id):
    """A fresh key ``<project_id>/<uuid>.zip`` for a project's upload."""
    if not project_id:
        raise InvalidInput("project_id is required.")
    if not _PROJECT_ID.match(project_id):
        raise InvalidInput(f"Invalid project_id {project_id!r}.")
    return f"{project_id}/{uuid.uuid4()}.zip"


def too_large(max_size):
    return PayloadTooLarge(f"Package exceeds the maximum size of {max_size} bytes.")


def check_declared_size(content_length, max_size):
    """Refuse at once a body whose declared length is over the limit."""
    if content_length is not None and content_length > max_size:
        raise too_large(max_size)


def iter_chunks(stream, chunk_size=CHUNK_SIZE):
    return iter(lambda: stream.read(chunk_size), b"")


class Digesting:
    """Iterates ``chunks`` while summing md5, sha256 and size.

    Raises ``PayloadTooLarge`` as soon as the total passes ``max_size`` (``None``: no
    limit); the chunk that passes it is not yielded. ``digest()`` once exhausted.
    """

    def __init__(self, chunks, max_size=None):
        self._chunks = chunks
        self._max_size = max_size
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self.size = 0

    def __iter__(self):
        for chunk in self._chunks:
            self.size += len(chunk)
            if self._max_size is not None and self.size > self._max_size:
                raise too_large(self._max_size)
            self._md5.update(chunk)
            self._sha256.update(chunk)
            yield chunk

    def digest(self):
        return Digest(md5=self._md5.hexdigest(), sha256=self._sha256.hexdigest(),
                      size=self.size)


def copy_digesting(chunks, write, max_size):
    """Pass ``chunks`` to ``write`` while summing md5, sha256 and size (see ``Digesting``)."""
    digesting = Digesting(chunks, max_size)
    for chunk in digesting:
        write(chunk)
    return digesting.digest()


def validate_zip(fileobj, limits=DEFAULT_LIMITS):
    """Raise ``InvalidInput`` unless ``fileobj`` (seekable) holds a safe, intact ZIP.

    Checks, in order: the central directory (entry count before it is parsed), member
    count, total unpacked size, each member's path and type, then every member's data
    (decompresses it and checks its CRC, reading no more than its declared size).
    """
    _check_entry_count(fileobj, limits)
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, ValueError, OSError):
        raise InvalidInput(NOT_A_ZIP) from None
    with archive:
        members = archive.infolist()
        check_members(members, limits)
        for info in members:
            _check_data(archive, info)


def _check_entry_count(fileobj, limits):
    fileobj.seek(0)
    # zipfile's own reader of the end record (handles ZIP64); cheap and bounded
    end = zipfile._EndRecData(fileobj)  # pylint: disable=protected-access
    fileobj.seek(0)
    if end is None:
        raise InvalidInput(NOT_A_ZIP)
    _check_count(end[zipfile._ECD_ENTRIES_TOTAL], limits)  # pylint: disable=protected-access


def _check_count(count, limits):
    if count > limits.max_files:
        raise InvalidInput(
            f"Package has {count} files, more than the maximum of {limits.max_files}.")


def check_members(members, limits):
    """Count, total size, paths and types of the members (``ZipInfo`` list)."""
    _check_count(len(members), limits)
    unpacked = sum(info.file_size for info in members)
    if unpacked > limits.max_unpacked_size:
        raise InvalidInput(
            f"Package unpacks to {unpacked} bytes, more than the maximum of "
            f"{limits.max_unpacked_size} bytes.")
    for info in members:
        check_member(info)


def check_member(info):
    name = info.filename
    path = name.replace("\\", "/")
    if path.startswith("/") or _DRIVE.match(path):
        raise InvalidInput(f"Package member {name!r} has an absolute path.")
    if ".." in path.split("/"):
        raise InvalidInput(f"Package member {name!r} points outside the package ('..').")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise InvalidInput(f"Package member {name!r} is a symbolic link; links are not allowed.")
    if info.flag_bits & 0x1:
        raise InvalidInput(f"Package member {name!r} is encrypted.")


def _check_data(archive, info):
    try:
        with archive.open(info) as member:
            while member.read(CHUNK_SIZE):
                pass
    except NotImplementedError:
        raise InvalidInput(
            f"Package member {info.filename!r} uses an unsupported compression method.") from None
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, ValueError, OSError):
        raise InvalidInput(f"{NOT_A_ZIP} Member {info.filename!r} is corrupt.") from None
