"""The storage service: package bytes over HTTP, package metadata and signed URLs over RPC."""
import time

from nameko.rpc import rpc
from werkzeug.wrappers import Response

from qinling_shared.exceptions import Forbidden, QinlingError
from qinling_shared.ping import Pingable

from qinling_storage import signing, uploads
from qinling_storage.backends.base import not_found
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
        """The bytes of a package, for holders of a URL made by ``sign_url``."""
        if not signing.verify(key, request.args.get("expires"), request.args.get("signature"),
                              self.storage.signing_key, time.time()):
            raise Forbidden("The package URL is invalid or has expired.")
        size = self.storage.store.size(key)
        chunks = self.storage.store.open(key)
        return Response(chunks, content_type="application/zip", direct_passthrough=True,
                        headers={"Content-Length": str(size)})

    @rpc(expected_exceptions=QinlingError)
    def sign_url(self, key):
        """A download URL for ``key``, valid ``signed_url_ttl`` seconds."""
        if not self.storage.store.exists(key):
            raise not_found(key)
        expires = int(time.time()) + self.storage.signed_url_ttl
        return signing.signed_url(self.storage.url, key, expires, self.storage.signing_key)

    @rpc(expected_exceptions=QinlingError)
    def stat(self, key):
        return {"key": key, "size": self.storage.store.size(key)}

    @rpc(expected_exceptions=QinlingError)
    def delete_package(self, key):
        """Remove the package; removing a missing one is not an error."""
        self.storage.store.delete(key)
