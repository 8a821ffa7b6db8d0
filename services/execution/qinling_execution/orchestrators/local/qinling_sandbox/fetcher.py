"""Package downloads for a worker whose runtime has no network.

The runtime server lives in an empty network namespace; the worker's init process (pid 1 of
the worker's pid namespace) stays in the host's and downloads packages for it into the
shared package cache. They talk over a socketpair, one JSON line per request and per answer:

    {"url": "...", "sha256": "..." | null, "md5": "..." | null}
    {"dir": "/packages/<sha256>"}   or   {"error": "why"}

Nothing else can reach the socket: it is inherited by these two processes only, and the
execution children close every descriptor they inherit.
"""
import json
import os
import threading

from pyruntime import packages

MAX_LINE = 64 * 1024


class FetchClient:
    """What the runtime server uses as its package cache (``fetch`` as PackageCache's)."""

    def __init__(self, sock, root):
        self.sock = sock
        self.root = root
        self._lock = threading.Lock()
        self._reader = sock.makefile("rb")

    def fetch(self, url, sha256=None, md5=None):
        target = os.path.join(self.root, sha256 or f"md5-{md5}")
        if os.path.isdir(target):
            return target
        request = json.dumps({"url": url, "sha256": sha256, "md5": md5}).encode() + b"\n"
        with self._lock:
            self.sock.sendall(request)
            line = self._reader.readline(MAX_LINE)
        if not line:
            raise packages.DownloadError("the worker's package fetcher is gone")
        answer = json.loads(line)
        if "error" in answer:
            raise packages.DownloadError(answer["error"])
        return answer["dir"]


def answer(cache, line):
    """The answer line to one request line (never raises for a bad request)."""
    try:
        request = json.loads(line)
        directory = cache.fetch(request["url"], request.get("sha256"), request.get("md5"))
        reply = {"dir": directory}
    except packages.DownloadError as exc:
        reply = {"error": str(exc)}
    except (ValueError, KeyError, TypeError) as exc:
        reply = {"error": f"bad fetch request: {exc}"}
    except Exception as exc:  # noqa: B902 - the worker's init must outlive any failed fetch
        reply = {"error": f"{type(exc).__name__}: {exc}"}
    return json.dumps(reply).encode() + b"\n"
