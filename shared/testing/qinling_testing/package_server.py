"""An HTTP server for function packages, like the storage service's signed URLs: serves
``/<name>`` from memory and counts the GETs of each path (a worker downloads a package once)."""
import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from qinling_testing.packages import zip_package


class PackageServer:
    """Serves on a free port of ``host``: 127.0.0.1, or an address of this host that
    containers reach too (e.g. the gateway of their Docker network)."""

    def __init__(self, host="127.0.0.1"):
        self.files, self.delays, self.downloads = {}, {}, {}
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self.base = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def add(self, name, files, delay=0.0):
        """Publish a zip of ``files`` (``{path: source}``); returns ``(url, sha256)``.
        ``delay``: seconds each GET waits before answering (widens a race window on purpose)."""
        return self.add_bytes(name, zip_package(files), delay)

    def add_bytes(self, name, data, delay=0.0):
        self.files["/" + name], self.delays["/" + name] = data, delay
        return f"{self.base}/{name}", hashlib.sha256(data).hexdigest()

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _handler(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.downloads[self.path] = owner.downloads.get(self.path, 0) + 1
                data = owner.files.get(self.path)
                time.sleep(owner.delays.get(self.path, 0))
                self.send_response(404 if data is None else 200)
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

            def log_message(self, *args):
                pass

        return Handler
