"""The runtime servers (``runtimes/``) run as processes, each a worker serving one function.

A worker is started the way the local driver starts one, on an inherited listening socket
(``--fd``), or on a port of its own (``--port``, manual runs); it downloads packages itself.
"""
import http.client
import json
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

# The runtime servers of the checkout this test support is installed from (editable).
RUNTIMES_DIR = Path(__file__).resolve().parents[3] / "runtimes"
RUNTIMES = ("python3", "nodejs")
NODE = shutil.which("node") or "/usr/bin/node"
COMMANDS = {
    "python3": [sys.executable, "-I", str(RUNTIMES_DIR / "python3" / "server.py")],
    "nodejs": [NODE, str(RUNTIMES_DIR / "nodejs" / "server.js")],
}


class WorkerClient:
    """The worker contract's client side, for a runtime server at ``host:port`` (a process
    here, or a container: ``runtime_containers.RuntimeContainer``)."""

    def __init__(self, host, port):
        self.host, self.port = host, port

    def answers_ping(self):
        """True when ``GET /ping`` answers 200 now; False when nothing listens yet."""
        try:
            return self.request("GET", "/ping")[0] == 200
        except OSError:
            return False

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def connect(self, timeout=30):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        """``(status, headers, body bytes)`` over a new connection."""
        connection = self.connect()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def execute(self, package, entry, fn_input=None, timeout=5, execution_id=None,
                package_md5=None):
        """POST /execute of ``package`` = ``(url, sha256 or None)``; the decoded result. A
        worker runs an execution id once: without ``execution_id`` a new one is made."""
        url, sha256 = package
        execution_id = execution_id or f"exec-{uuid.uuid4().hex[:12]}"
        body = {"execution_id": execution_id, "function_id": "fn-1", "function_version": 0,
                "entry": entry, "input": fn_input, "timeout": timeout, "cpu": 100,
                "memory_size": 33554432, "package_url": url, "package_sha256": sha256,
                "package_md5": package_md5}
        status, _, data = self.request("POST", "/execute", json.dumps(body))
        assert status == 200, data
        return json.loads(data)

    def cancel(self, execution_id):
        """POST /cancel: ``(status, decoded answer)``."""
        status, _, data = self.request("POST", "/cancel",
                                       json.dumps({"execution_id": execution_id}))
        return status, json.loads(data)


class RuntimeServerProcess(WorkerClient):
    """One runtime server process serving on 127.0.0.1."""

    def __init__(self, process, port):
        super().__init__("127.0.0.1", port)
        self.process = process

    @classmethod
    def start(cls, runtime, cache_dir, extra_args=()):
        """On an inherited listening socket, as the local driver starts it (``extra_args``:
        more of the command line, e.g. ``--max-unpacked-size``)."""
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        fd = listener.fileno()
        process = subprocess.Popen([*COMMANDS[runtime], "--fd", str(fd),
                                    "--cache-dir", str(cache_dir), *extra_args], pass_fds=(fd,))
        port = listener.getsockname()[1]
        listener.close()
        worker = cls(process, port)
        worker.wait_ready()
        return worker

    @classmethod
    def start_on_port(cls, runtime, cache_dir):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen([*COMMANDS[runtime], "--port", str(port),
                                    "--cache-dir", str(cache_dir)])
        worker = cls(process, port)
        worker.wait_ready()
        return worker

    def wait_ready(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the worker exited"
            if self.answers_ping():
                return
            time.sleep(0.01)
        self.close()
        raise AssertionError("the worker did not answer /ping")

    def gone(self, pid, timeout=3.0):
        """True once the worker's process ``pid`` no longer runs (:func:`gone`)."""
        return gone(pid, timeout)

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def gone(pid, timeout=3.0):
    """True once ``pid`` no longer runs (absent, or a zombie waiting for its parent)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rpartition(")")[2].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.01)
    return False
