"""Test helpers: a package server, test functions, and a runtime server run as a process."""
import hashlib
import http.client
import importlib
import io
import json
import socket
import subprocess
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from qinling_execution.orchestrators.local.images import SERVERS

PYTHON3_SERVER = SERVERS["python3"]


def _runtime_modules(*names):
    """The runtime's own modules, imported the way server.py imports them."""
    if str(PYTHON3_SERVER.parent) not in sys.path:
        sys.path.insert(0, str(PYTHON3_SERVER.parent))
    return [importlib.import_module(f"pyruntime.{name}") for name in names]


contract, execution, invoke = _runtime_modules("contract", "execution", "invoke")

FUNCTIONS = {
    "hello.py": (
        "def main(name='World', **kwargs):\n"
        "    print('Hello, ' + name)\n"
        "    return 'Hello, ' + name\n"),
    "echo.py": (
        "def arguments(*args, **kwargs):\n"
        "    return {'args': list(args), 'kwargs': kwargs}\n"),
    "failing.py": (
        "import os, signal, sys, time\n"
        "def raises():\n"
        "    raise ValueError('bad input given')\n"
        "def unserialisable():\n"
        "    return object()\n"
        "def not_a_number():\n"
        "    return float('nan')\n"
        "def exits():\n"
        "    os._exit(3)\n"
        "def kills_itself():\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "def out_of_memory():\n"
        "    raise MemoryError()\n"
        "def sleeps(seconds=30):\n"
        "    print('pid', os.getpid(), flush=True)\n"
        "    time.sleep(seconds)\n"
        "def noisy(size):\n"
        "    sys.stdout.write('x' * size + '\\n')\n"
        "    print('to stderr', file=sys.stderr)\n"
        "    return 'done'\n"
        "def leaves_a_process():\n"
        "    pid = os.fork()  # inherits the result pipe, unlike subprocess.Popen\n"
        "    if pid == 0:\n"
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "    return pid\n"
        "def dies_leaving_a_process():\n"
        "    leaves_a_process()\n"
        "    os._exit(3)\n"),
    "limits.py": (
        "import resource\n"
        "def current():\n"
        "    return {'nofile': resource.getrlimit(resource.RLIMIT_NOFILE),\n"
        "            'fsize': resource.getrlimit(resource.RLIMIT_FSIZE)}\n"),
    "pkg/__init__.py": "",
    "pkg/sub/__init__.py": "",
    "pkg/sub/mod.py": "def func():\n    return 'dotted'\n",
}


def make_zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


class PackageServer:
    """Serves ``/<name>`` from memory and counts the GETs of each path."""

    def __init__(self):
        self.files, self.delays, self.downloads = {}, {}, {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def add(self, name, files, delay=0.0):
        """Publish a zip of ``files``; returns ``(url, sha256)``."""
        return self.add_bytes(name, make_zip(files), delay)

    def add_bytes(self, name, data, delay=0.0):
        self.files["/" + name], self.delays["/" + name] = data, delay
        return f"{self.base}/{name}", hashlib.sha256(data).hexdigest()

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.downloads[self.path] = owner.downloads.get(self.path, 0) + 1
                data = owner.files.get(self.path)
                time.sleep(owner.delays.get(self.path, 0))  # widens a race window on purpose
                self.send_response(404 if data is None else 200)
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

            def log_message(self, *args):
                pass

        return Handler


class RunningWorker:
    """``server.py`` started the way the local driver starts it: on an inherited socket."""

    def __init__(self, process, port):
        self.process, self.port = process, port

    @classmethod
    def start(cls, cache_dir, extra_args=()):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        fd = listener.fileno()
        process = subprocess.Popen(
            [sys.executable, "-I", str(PYTHON3_SERVER), "--fd", str(fd),
             "--cache-dir", str(cache_dir), *extra_args], pass_fds=(fd,))
        port = listener.getsockname()[1]
        listener.close()
        worker = cls(process, port)
        worker.wait_ready()
        return worker

    def wait_ready(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the worker exited"
            try:
                if self.request("GET", "/ping")[0] == 200:
                    return
            except OSError:
                time.sleep(0.01)
        raise AssertionError("the worker did not answer /ping")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def connect(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        """``(status, headers, body bytes)`` over a new connection."""
        connection = self.connect()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def execute(self, package, entry, fn_input=None, timeout=5, execution_id="exec-1",
                package_md5=None):
        """POST /execute of ``package`` = ``(url, sha256 or None)``; the decoded result."""
        url, sha256 = package
        body = {"execution_id": execution_id, "function_id": "fn-1", "function_version": 0,
                "entry": entry, "input": fn_input, "timeout": timeout, "cpu": 100,
                "memory_size": 33554432, "package_url": url, "package_sha256": sha256,
                "package_md5": package_md5}
        status, _, data = self.request("POST", "/execute", json.dumps(body))
        assert status == 200, data
        return json.loads(data)

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)
