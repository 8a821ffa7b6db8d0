"""HTTP client of the storage service: package bytes never travel over RPC.

Contract (services/storage/README.md): ``PUT <storage>/v1/packages?project_id=<p>`` with the
raw zip as a chunked body → 201 ``{"key", "md5sum", "sha256", "size"}`` of an upload, unclaimed
until the function service claims it; ``GET`` of a signed URL (made by the function service) →
the bytes, streamed; errors have the body ``{"error": {"type": "<wire error name>", "message"}}``.
"""
import contextlib
import logging

import aiohttp

from qinling_shared.exceptions import Unavailable, from_wire

LOG = logging.getLogger(__name__)

UNAVAILABLE = "Storage service is unavailable."
# No total limit: a large package over a slow link may take long; a silent peer may not.
UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=60)
DOWNLOAD_TIMEOUT = UPLOAD_TIMEOUT
CHUNK_SIZE = 64 * 1024


class StorageError(Exception):
    """The storage service failed in a way that is not a wire error (HTTP 500)."""


class StorageClient:
    def __init__(self, base_url, session):
        self.base_url = base_url.rstrip("/")
        self._session = session

    async def upload(self, project_id, body):
        """Stream ``body`` (an async iterator of bytes) as a new package of ``project_id``."""
        try:
            async with self._session.put(
                    f"{self.base_url}/v1/packages", params={"project_id": project_id},
                    data=body, timeout=UPLOAD_TIMEOUT,
                    headers={"Content-Type": "application/zip"}) as response:
                if response.status == 201:
                    return await response.json()
                raise await error_of(response)
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            LOG.warning("package upload to %s failed: %r", self.base_url, exc)
            raise Unavailable(UNAVAILABLE) from None

    @contextlib.asynccontextmanager
    async def download(self, url):
        """The package behind a signed ``url``: yields ``(size or None, chunks)``, ``chunks``
        an async iterator of bytes read from the storage service as they are consumed."""
        try:
            response = await self._session.get(url, timeout=DOWNLOAD_TIMEOUT)
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            LOG.warning("package download from %s failed: %r", self.base_url, exc)
            raise Unavailable(UNAVAILABLE) from None
        async with response:
            if response.status != 200:
                raise await error_of(response)
            yield response.content_length, response.content.iter_chunked(CHUNK_SIZE)


async def error_of(response):
    """The wire error a storage error response carries, else a ``StorageError``."""
    try:
        error = (await response.json(content_type=None))["error"]
        wire_error = from_wire(error["type"], error["message"])
    except (ValueError, KeyError, TypeError, aiohttp.ClientPayloadError):
        wire_error = None
    if wire_error is not None:
        return wire_error
    if response.status == 503:
        return Unavailable(UNAVAILABLE)
    return StorageError(f"Storage service answered HTTP {response.status}.")
