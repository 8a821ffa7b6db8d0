"""Counts the runs of a function outside the platform, for fault tests.

The function calls ``GET <counter.url>/run/<n>`` once per run (the platform must allow
functions the network: ``[local] allow_network = true``), so a second run of one execution
shows even when its row was recorded once, and a run of an execution that should not exist
shows even when nothing else does::

    def main(n, counter, **kwargs):
        urllib.request.urlopen(f"{counter}/run/{n}", timeout=10).read()
"""
import collections
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from qinling_testing.api_client import ApiClient
from qinling_testing.packages import zip_package

SOURCE = '''\
import urllib.request


def main(n, counter, **kwargs):
    urllib.request.urlopen(f"{counter}/run/{n}", timeout=10).read()
    return n
'''


class RunCounter:
    """``runs[n]``: the ``GET /run/<n>`` received, each one run of the function."""

    def __init__(self, bind="127.0.0.1", advertise=None):
        """Listens on ``bind``; functions reach it at ``advertise`` (default: ``bind``), e.g.
        the host's address on a container network."""
        self.runs = collections.Counter()
        self._lock = threading.Lock()
        counter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with counter._lock:
                    counter.runs[int(self.path.rsplit("/", 1)[1])] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((bind, 0), Handler)
        self.url = f"http://{advertise or bind}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def counted_function(url, counter):
    """The id of a new function of :data:`SOURCE` on the platform at ``url``, run once (``n``
    -1) so that a worker and the services' caches are ready before a fault."""
    with ApiClient(url) as api:
        runtime = api.create_runtime()
        assert runtime.status_code == 201, runtime.text
        api.wait_for_status(f"/v1/runtimes/{runtime.json()['id']}", {"available"})
        function = api.create_function(runtime.json()["id"], name="counted",
                                       package=zip_package({"main.py": SOURCE}))
        assert function.status_code == 201, function.text
        warm = api.execute(function.json()["id"], {"n": -1, "counter": counter.url})
        assert warm.status_code == 201, warm.text
        assert warm.json()["status"] == "success", warm.json()
        return function.json()["id"]
