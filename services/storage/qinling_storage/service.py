"""The storage service: package bytes over HTTP, package metadata and signed URLs over RPC,
and the reaper of uploads no function claimed.

Keys are package keys (``<project_id>/<uuid>.zip``) or ``swift/<container>/<object>``
references to Swift objects used as function code (see ``references``). Each entrypoint
calls a plain function of the modules below with the service's ``Storage`` and the time.
"""
import logging
import time

from nameko.timer import timer
from werkzeug.wrappers import Response

from qinling_nameko.metrics import ServesMetrics
from qinling_nameko.ping import pong
from qinling_nameko.rpc import rpc
from qinling_shared.exceptions import Forbidden, QinlingError

from qinling_storage import copies, references, signing, sources, unclaimed, uploads
from qinling_storage.dependencies import PackageStorage
from qinling_storage.web import http, json_response

LOG = logging.getLogger(__name__)
REAP_INTERVAL = 60.0  # seconds between two passes of the upload reaper


class StorageService(ServesMetrics):
    name = "storage"

    storage = PackageStorage()

    @rpc
    def ping(self):
        return pong(self.name, provider=self.storage.provider)

    @http("PUT", "/v1/packages")
    def upload_package(self, request):
        """The raw ZIP as the (streamed, possibly chunked) body; ``?project_id=``. The package
        is an unclaimed upload until the function service claims it."""
        result = uploads.receive_package(
            self.storage, request.args.get("project_id"), request.stream,
            request.content_length, time.time())
        return json_response(result, status=201)

    @http("GET", "/v1/packages/<path:key>")
    def download_package(self, request, key):
        """The bytes of a package or Swift object, for holders of a URL made by ``sign_url``."""
        if not signing.verify(key, request.args.get("expires"), request.args.get("signature"),
                              self.storage.signing_key, time.time()):
            raise Forbidden("The package URL is invalid or has expired.")
        size, chunks = sources.open_reference(self.storage, key)
        headers = {"Content-Length": str(size)} if size is not None else {}
        return Response(chunks, content_type="application/zip", direct_passthrough=True,
                        headers=headers)

    @rpc(expected_exceptions=QinlingError)
    def sign_url(self, key):
        """A download URL for ``key``, valid ``signed_url_ttl`` seconds; ``NotFound`` if the
        package (or Swift object) is missing."""
        sources.stat_reference(self.storage, key)
        expires = int(time.time()) + self.storage.signed_url_ttl
        return signing.signed_url(self.storage.url, key, expires, self.storage.signing_key)

    @rpc(expected_exceptions=QinlingError)
    def stat(self, key):
        return sources.stat_reference(self.storage, key)

    @rpc(expected_exceptions=QinlingError)
    def claim_package(self, key):
        """The upload ``key`` is a function's from now on: never reaped. Idempotent;
        ``NotFound`` when it is gone or was left unclaimed past ``upload_expiration``."""
        unclaimed.claim(self.storage.store, key, time.time(), self.storage.upload_expiration)

    @rpc(expected_exceptions=QinlingError)
    def delete_package(self, key):
        """Remove the package (claimed or not); removing a missing one is not an error. A
        Swift reference is the user's object, never deleted here."""
        if references.parse_swift(key) is None:
            unclaimed.delete(self.storage.store, key)

    @rpc(expected_exceptions=QinlingError)
    def copy_package(self, key, project_id):
        """A new, independent copy of ``key`` under ``project_id`` (claimed: it is made for
        the function service): ``{"key", "md5sum", "sha256", "size"}``."""
        return copies.copy_package(self.storage, key, project_id)

    @rpc(expected_exceptions=QinlingError)
    def stat_swift_object(self, container, object):  # noqa: A002 (the contract's name)
        """``{"size", "etag"}`` of a Swift object to be used as function code."""
        return sources.stat_swift_object(self.storage, container, object)

    @timer(interval=REAP_INTERVAL)
    def reap_uploads(self):
        """Delete the uploads unclaimed for ``upload_expiration`` seconds; their keys."""
        reaped = unclaimed.reap(self.storage.store, time.time(), self.storage.upload_expiration)
        if reaped:
            LOG.info("deleted %d unclaimed upload(s): %s", len(reaped), ", ".join(reaped))
        return reaped
