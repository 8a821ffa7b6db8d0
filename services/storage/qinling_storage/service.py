"""The storage service: package bytes over HTTP, package metadata and signed URLs over RPC.

Keys are package keys (``<project_id>/<uuid>.zip``) or ``swift/<container>/<object>``
references to Swift objects used as function code (see ``references``).
"""
import time

from nameko.rpc import rpc
from werkzeug.wrappers import Response

from qinling_shared.exceptions import Forbidden, QinlingError
from qinling_nameko.ping import Pingable

from qinling_storage import copies, references, signing, sources, uploads
from qinling_storage.dependencies import PackageStorage
from qinling_storage.web import http, json_response


class StorageService(Pingable):
    name = "storage"

    storage = PackageStorage()

    def health(self):
        return {"provider": self.storage.provider}

    @http("PUT", "/v1/packages")
    def upload_package(self, request):
        """The raw ZIP as the (streamed, possibly chunked) body; ``?project_id=``."""
        result = uploads.receive_package(
            self.storage, request.args.get("project_id"), request.stream,
            request.content_length)
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
    def delete_package(self, key):
        """Remove the package; removing a missing one is not an error. A Swift reference is
        the user's object, never deleted here."""
        if references.parse_swift(key) is None:
            self.storage.store.delete(key)

    @rpc(expected_exceptions=QinlingError)
    def copy_package(self, key, project_id):
        """A new, independent copy of ``key`` under ``project_id``:
        ``{"key", "md5sum", "sha256", "size"}``."""
        return copies.copy_package(self.storage, key, project_id)

    @rpc(expected_exceptions=QinlingError)
    def stat_swift_object(self, container, object):  # noqa: A002 (the contract's name)
        """``{"size", "etag"}`` of a Swift object to be used as function code."""
        return sources.stat_swift_object(self.storage, container, object)
