"""Function packages: downloaded once per digest, verified, unpacked atomically.

A package is known by its sha256, or only by its md5 when no sha256 is known (Swift-sourced
code, whose ETag is an md5). ``<cache>/<sha256>/`` or ``<cache>/md5-<md5>/`` holds the unpacked
code. It appears by ``rename`` of a fully extracted temporary directory, so a directory that
exists is always complete. Concurrent requests for the same package wait on one lock per
directory and download it once.

The bytes come from ``download(url, path)``: :class:`HttpDownload` here, or the worker's init
when the local driver's sandbox runs this server without a network (``sandbox.py``).
"""
import hashlib
import http.client
import os
import shutil
import tempfile
import threading
import urllib.request
import zipfile

DOWNLOAD_TIMEOUT = 30
_CHUNK = 1024 * 1024


MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # as the storage service's [storage] max_unpacked_size
MAX_MEMBERS = 10000


class DownloadError(Exception):
    """The package could not be fetched or verified; the message says why."""


class UnpackError(DownloadError):
    """The package was fetched but is not a zip this server unpacks: corrupt, too large
    unpacked (a zip bomb), too many members."""


class HttpDownload:
    """``download(url, path)`` over HTTP(S), straight from this process."""

    def __init__(self, timeout=DOWNLOAD_TIMEOUT):
        self.timeout = timeout
        # Storage URLs are internal: never route them through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def __call__(self, url, path):
        with self._opener.open(url, timeout=self.timeout) as response, open(path, "wb") as out:
            shutil.copyfileobj(response, out, _CHUNK)


class PackageCache:
    def __init__(self, root, download=None, max_unpacked=MAX_UNPACKED_BYTES):
        self.root = os.path.abspath(root)
        self.download = download or HttpDownload()
        self.max_unpacked = max_unpacked
        os.makedirs(self.root, exist_ok=True)
        self._locks = {}
        self._guard = threading.Lock()

    def fetch(self, url, sha256=None, md5=None):
        """Directory of the unpacked package whose digests are the given ones (lower-case
        hex; at least one); raises :class:`DownloadError`."""
        expected = {name: value for name, value in (("sha256", sha256), ("md5", md5)) if value}
        if not expected:
            raise ValueError("a sha256 or an md5 is required")
        name = sha256 or f"md5-{md5}"
        target = os.path.join(self.root, name)
        if os.path.isdir(target):
            return target
        with self._lock_for(name):
            if not os.path.isdir(target):
                self._install(url, expected, target)
        return target

    def _lock_for(self, name):
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def _install(self, url, expected, target):
        scratch = tempfile.mkdtemp(prefix=".incoming-", dir=self.root)
        try:
            archive = os.path.join(scratch, "package.zip")
            self.download(url, archive)
            digests = file_digests(archive)
            for algorithm, value in expected.items():
                if digests[algorithm] != value:
                    raise DownloadError(f"{algorithm} mismatch: expected {value}, "
                                        f"got {digests[algorithm]}")
            unpacked = os.path.join(scratch, "code")
            unpack(archive, unpacked, self.max_unpacked)
            os.rename(unpacked, target)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise DownloadError(str(exc) or type(exc).__name__) from exc
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def unpack(archive, into, max_unpacked):
    """Extract the zip ``archive`` into ``into``, refusing more than ``max_unpacked`` bytes or
    ``MAX_MEMBERS`` members before writing anything (zipfile writes no more than each member's
    declared size, and strips absolute paths and '..' components); raises UnpackError."""
    try:
        with zipfile.ZipFile(archive) as package:
            members = package.infolist()
            size = sum(member.file_size for member in members)
            if len(members) > MAX_MEMBERS:
                raise UnpackError(f"it holds {len(members)} members, more than {MAX_MEMBERS}")
            if size > max_unpacked:
                raise UnpackError(f"it unpacks to {size} bytes, more than {max_unpacked}")
            package.extractall(into)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, NotImplementedError) as exc:
        raise UnpackError(str(exc) or type(exc).__name__) from exc


def file_digests(path):
    """``{"sha256", "md5"}`` hex digests of the file at ``path``."""
    digests = {"sha256": hashlib.sha256(), "md5": hashlib.md5(usedforsecurity=False)}
    with open(path, "rb") as data:
        while chunk := data.read(_CHUNK):
            for digest in digests.values():
                digest.update(chunk)
    return {name: digest.hexdigest() for name, digest in digests.items()}
