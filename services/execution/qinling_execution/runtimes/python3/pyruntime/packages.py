"""Function packages: downloaded once per sha256, verified, unpacked atomically.

``<cache>/<sha256>/`` holds the unpacked code. It appears by ``rename`` of a fully extracted
temporary directory, so a directory that exists is always complete. Concurrent requests for
the same package wait on one lock per sha256 and download it once.
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


class DownloadError(Exception):
    """The package could not be fetched, verified or unpacked; the message says why."""


class PackageCache:
    def __init__(self, root, timeout=DOWNLOAD_TIMEOUT):
        self.root = os.path.abspath(root)
        self.timeout = timeout
        os.makedirs(self.root, exist_ok=True)
        self._locks = {}
        self._guard = threading.Lock()
        # Storage URLs are internal: never route them through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def fetch(self, url, sha256):
        """Directory of the unpacked package; raises :class:`DownloadError`."""
        target = os.path.join(self.root, sha256)
        if os.path.isdir(target):
            return target
        with self._lock_for(sha256):
            if not os.path.isdir(target):
                self._install(url, sha256, target)
        return target

    def _lock_for(self, sha256):
        with self._guard:
            return self._locks.setdefault(sha256, threading.Lock())

    def _install(self, url, sha256, target):
        scratch = tempfile.mkdtemp(prefix=".incoming-", dir=self.root)
        try:
            archive = os.path.join(scratch, "package.zip")
            digest = self._download(url, archive)
            if digest != sha256:
                raise DownloadError(f"sha256 mismatch: expected {sha256}, got {digest}")
            unpacked = os.path.join(scratch, "code")
            with zipfile.ZipFile(archive) as package:
                package.extractall(unpacked)  # strips absolute paths and '..' components
            os.rename(unpacked, target)
        except (OSError, ValueError, zipfile.BadZipFile, http.client.HTTPException) as exc:
            raise DownloadError(str(exc) or type(exc).__name__) from exc
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _download(self, url, path):
        """Stream ``url`` into ``path``; return the sha256 hex digest of the bytes."""
        digest = hashlib.sha256()
        with self._opener.open(url, timeout=self.timeout) as response, open(path, "wb") as out:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    return digest.hexdigest()
                digest.update(chunk)
                out.write(chunk)
