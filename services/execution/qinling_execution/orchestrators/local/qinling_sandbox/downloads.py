"""Package downloads the worker's init makes for its runtime server, which has no network.

The runtime server lives in an empty network namespace; the worker's init process (pid 1 of
the worker's pid namespace) stays in the host's. Asked ``{"op": "download", "url", "into"}``,
it streams the URL into the new file ``into``, which must lie in the worker's package cache;
the runtime server then verifies and unpacks it with its own code.
"""
import os
import shutil
import urllib.request

DOWNLOAD_TIMEOUT = 30
CHUNK = 1024 * 1024
# Storage URLs are internal: never route them through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def download(url, into, cache_dir, timeout=DOWNLOAD_TIMEOUT):
    """Stream ``url`` (http or https) into the new file ``into`` under ``cache_dir``."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http or https URL: {url!r}")
    root = os.path.realpath(cache_dir)
    if not os.path.realpath(os.path.dirname(into)).startswith(root + os.sep):
        raise ValueError(f"{into!r} is not in the package cache {cache_dir!r}")
    with _OPENER.open(url, timeout=timeout) as response:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with open(os.open(into, flags, 0o600), "wb") as out:
            shutil.copyfileobj(response, out, CHUNK)
