#!/usr/bin/env python3
"""Qinling's Python 3 runtime server: an HTTP/1.1 server that runs one function's code.

It speaks the worker contract (``GET /ping``, ``POST /execute``, ``POST /cancel``,
``POST /outcome``; see ``README.md``), uses only the standard library and imports nothing from
Qinling: it runs sandboxed. It runs an execution id once (``pyruntime.outcomes``). It listens on
a socket inherited from the orchestrator (``--fd N``: socket activation, no port race) or binds
``--port`` for manual runs. Under the local driver's sandbox (``--init-fd F``) the worker's
init downloads packages and makes each execution's cgroup.

Manual run: ``python3 server.py --port 9090 --cache-dir /tmp/qinling-packages``.
"""
import argparse
import json
import os
import socket
import socketserver
import sys
import tempfile
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pyruntime import (  # noqa: E402
    contract, execution, openstack, outcomes, packages, running, sandbox)

MAX_BODY_BYTES = 16 * 1024 * 1024


class RuntimeServer(ThreadingHTTPServer):
    """A threading HTTP server on an inherited listening socket or a port of its own."""

    daemon_threads = True

    def __init__(self, packages_cache, log_limit, fd=None, address=("127.0.0.1", 0),
                 confinement=None):
        self.packages = packages_cache
        self.log_limit = log_limit
        self.confinement = confinement
        self.running = running.Running()
        self.outcomes = outcomes.Outcomes()
        super().__init__(address, RequestHandler, bind_and_activate=fd is None)
        if fd is not None:
            self.socket.close()
            self.socket = socket.socket(fileno=fd)
            self.socket.setblocking(True)
            self.server_address = self.socket.getsockname()

    def server_bind(self):
        # HTTPServer.server_bind resolves the host name (getfqdn), which can stall.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        connection, address = super().get_request()
        # Without this, a response whose headers and body go out in two writes waits ~40 ms.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the caller went away (e.g. its own timeout): nothing to report
        super().handle_error(request, client_address)

    def execute(self, request):
        """``(result, finish)``: call ``finish()`` once the result is sent (see
        ``execution.run``). An execution this worker ran or runs is not run again: its
        result is answered (``outcomes``)."""
        kept = self.outcomes.claim(request.execution_id)
        if kept is not None:
            return kept, _nothing
        result = None
        try:
            result, finish = self._run(request)
        finally:
            self.outcomes.finish(request.execution_id, result)
        return result, finish

    def outcome(self, body):
        """``POST /outcome``: (status, answer)."""
        execution_id, wait = outcomes.parse_outcome(body)
        return outcomes.answer(execution_id, *self.outcomes.state(execution_id, wait))

    def _run(self, request):
        # tracked from the start: a cancel during the download kills the child as it forks
        with self.running.track(request.execution_id) as forked:
            try:
                package_dir = self.packages.fetch(request.package_url, request.package_sha256,
                                                  request.package_md5)
            except packages.UnpackError as exc:
                return contract.unpack_failure(exc), _nothing
            except packages.DownloadError as exc:
                return contract.download_failure(request.package_url, exc), _nothing
            result, finish = execution.run(request, package_dir, self.log_limit,
                                           self.confinement, on_fork=forked)
            _after_openstack_use(result)
            if self.running.cancelled(request.execution_id):
                result.update(output=running.CANCELLED_MESSAGE, success=False)
        return result, finish

    def cancel(self, body):
        """``POST /cancel``: (status, answer)."""
        execution_id = running.parse_cancel(body)
        if self.running.cancel(execution_id):
            return 200, {"cancelled": True}
        return 404, {"error": f"Execution {execution_id} does not run here."}


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server_version = "QinlingPython3Runtime/1"

    def do_GET(self):
        if self.path == "/ping":
            self._send(200, b"pong", "text/plain; charset=utf-8")
        else:
            self._send_json(404, {"error": f"No resource {self.path}."})

    def do_POST(self):
        if self.path in ("/cancel", "/outcome"):
            serve = self.server.cancel if self.path == "/cancel" else self.server.outcome
            try:
                self._send_json(*serve(self._read_json()))
            except contract.BadRequest as exc:
                self._send_json(exc.status, {"error": str(exc)})
            return
        if self.path != "/execute":
            self._discard_body()
            self._send_json(404, {"error": f"No resource {self.path}."})
            return
        try:
            request = contract.parse_execute(self._read_json())
        except contract.BadRequest as exc:
            self._send_json(exc.status, {"error": str(exc)})
            return
        try:
            result, finish = self.server.execute(request)
        except Exception as exc:  # noqa: B902 - answer, never drop the connection silently
            traceback.print_exc()
            self._send_json(500, {"error": f"The worker failed to run the execution: {exc}"})
            return
        try:
            self._send_json(200, result)
        finally:
            finish()  # after the answer: the caller does not wait for the child's end

    def _read_json(self):
        length = self._content_length()
        if length > MAX_BODY_BYTES:
            self.close_connection = True  # the body is left unread
            raise _TooLarge(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
        try:
            return json.loads(self.rfile.read(length))
        except (ValueError, RecursionError) as exc:
            raise contract.BadRequest(f"The request body is not valid JSON: {exc}") from None

    def _content_length(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise contract.BadRequest("Chunked request bodies are not supported.")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            raise contract.BadRequest("Content-Length is required.") from None
        if length < 0:
            self.close_connection = True
            raise contract.BadRequest("Content-Length must not be negative.")
        return length

    def _discard_body(self):
        try:
            length = self._content_length()
        except contract.BadRequest:
            return
        if length > MAX_BODY_BYTES:
            self.close_connection = True
        else:
            self.rfile.read(length)

    def _send_json(self, status, document):
        self._send(status, json.dumps(document).encode(), "application/json")

    def _send(self, status, body, content_type):
        """The whole response in one write (status line, headers, body)."""
        connection = "Connection: close\r\n" if self.close_connection else ""
        head = (f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"
                f"Server: {self.server_version}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\n{connection}\r\n")
        self.wfile.write(head.encode("latin-1") + body)

    def log_request(self, code="-", size="-"):
        """No access log: the orchestrator keeps the worker's stderr for real errors."""


def _after_openstack_use(result):
    """The run's result for the caller. A run that made its OpenStack session had to load
    keystoneauth1 itself: load it here too, so the next runs of this worker's function,
    forked from here, have it (a worker that never needs it forks faster without it)."""
    if result.pop("openstack_used", False):
        try:
            openstack.load()
        except ImportError as exc:
            print(f"no OpenStack session for functions: {exc}", file=sys.stderr, flush=True)
    return result


def _nothing():
    pass


class _TooLarge(contract.BadRequest):
    status = 413


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Qinling Python 3 runtime server.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--fd", type=int, help="Listening socket inherited from the parent.")
    where.add_argument("--port", type=int, help="Port to bind (manual runs).")
    parser.add_argument("--host", default="127.0.0.1", help="Address to bind with --port.")
    parser.add_argument("--cache-dir", help="Where packages are cached (default: a temp dir).")
    parser.add_argument("--log-limit", type=int, default=execution.LOG_LIMIT,
                        help="Bytes of captured output kept per execution.")
    parser.add_argument("--max-unpacked-size", type=int, default=packages.MAX_UNPACKED_BYTES,
                        help="Largest total unpacked size of a package, in bytes.")
    parser.add_argument("--init-fd", type=int,
                        help="Socket to the sandbox's worker init (downloads, cgroups).")
    parser.add_argument("--openstack-path",
                        help="Folder holding keystoneauth1 and its dependencies, for the "
                             "functions' os_session (default: this interpreter's path).")
    return parser.parse_args(argv)


def main(argv=None, confinement=None):
    """Run the server. The local driver's sandbox calls this in a process forked from its
    zygote, which imported this file already, with the arguments an exec would get, and may
    give the ``confinement`` of its executions in process (``prepare``/``enter``/``close``, as
    ``pyruntime.execution.run`` takes it); otherwise the sandbox behind ``--init-fd`` makes
    them."""
    args = parse_args(argv)
    openstack.LIBRARIES = args.openstack_path
    box = None
    if args.init_fd is not None:
        box = sandbox.Sandbox(socket.socket(fileno=args.init_fd))
    cache = packages.PackageCache(args.cache_dir or tempfile.mkdtemp(prefix="qinling-python3-"),
                                  download=box.download if box else None,
                                  max_unpacked=args.max_unpacked_size)
    serve(RuntimeServer(cache, args.log_limit, fd=args.fd, address=(args.host, args.port or 0),
                        confinement=confinement or box))


def serve(server):
    """Serve until interrupted."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
