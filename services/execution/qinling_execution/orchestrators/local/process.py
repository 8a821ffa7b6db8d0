"""One local worker as the driver sees it: its pid and pidfd, its URL, its log, and the
socket on which it is bound to a function.

A worker starts idle: confined, but still root and not serving. It says ``ready`` on its bind
socket; :meth:`WorkerProcess.bind` sends it the function's uid, and it then serves.

Socket activation: the driver binds ``<worker host>:0`` (127.0.0.1 unless ``[local]
worker_host`` says otherwise) and hands the listening socket to the worker (through the
zygote), so there is no port race, requests sent while the worker boots wait in the backlog,
and the worker serves the host's address even from an empty network namespace.
The driver closes its own copy at once. Because ``connect()`` then succeeds only while the
worker lives, readiness also watches the worker's pidfd (readable once it has exited).

Works under eventlet monkey patching (the execution service): ``select``, ``socket`` and
``time`` are green there, and nothing here starts a thread or forks.
"""
import http.client
import json
import os
import select
import signal
import socket
import time

from qinling_shared.exceptions import Unavailable

from qinling_execution.orchestrators.local.zygotes import log_tail

try:  # the blocking select of the standard library, even under eventlet's monkey patching
    from eventlet.patcher import original as _original
    _poll_select = _original("select").select
except ImportError:  # pragma: no cover - the driver outside the service
    _poll_select = select.select

PING_INTERVAL = 0.01
EXIT_POLL = 0.005
PING_ATTEMPT_TIMEOUT = 1.0


def listening_socket(host="127.0.0.1"):
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                             socket.SOCK_STREAM)
    try:
        listener.bind((host, 0))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


class WorkerProcess:
    def __init__(self, pid, pidfd, url, log_path, bind_sock):
        self.pid, self.url, self.log_path = pid, url, log_path
        self._pidfd, self._bind_sock = pidfd, bind_sock

    def alive(self):
        """Whether the worker still runs: a poll of its pidfd (readable once it has exited)
        that never waits. Not eventlet's green select: that would register the pidfd in its
        hub, and two green threads asking at once (concurrent pool requests, the upkeep)
        would be refused ("Second simultaneous read")."""
        return self._pidfd is not None and not _poll_select([self._pidfd], [], [], 0)[0]

    def exits_within(self, timeout):
        """True once the worker has exited, polled for up to ``timeout`` seconds (its init
        ends the worker a moment after its runtime server died)."""
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() >= deadline:
                return False
            time.sleep(EXIT_POLL)
        return True

    def wait_idle(self, timeout):
        """Return once the worker, confined, waits to be bound (``Unavailable`` otherwise)."""
        ready = select.select([self._bind_sock, self._pidfd], [], [], timeout)[0]
        line = b""
        if self._bind_sock in ready:
            try:
                line = self._bind_sock.recv(64)
            except BlockingIOError:
                pass
        if line != b"ready\n":
            what = "exited" if self._pidfd in ready else f"was not ready within {timeout} s"
            raise Unavailable(f"Worker {what} before it could be bound. "
                              f"Its output ends with: {self.log_tail()}")

    def bind(self, uid):
        """Bind the idle worker: it switches to ``uid`` (None: keeps its own) and serves."""
        try:
            self._bind_sock.sendall(json.dumps({"uid": uid}).encode() + b"\n")
        except OSError as exc:
            raise Unavailable(f"Cannot bind the worker: {exc}. "
                              f"Its output ends with: {self.log_tail()}") from exc
        finally:
            self._close_bind()

    def _close_bind(self):
        if self._bind_sock is not None:
            self._bind_sock.close()
            self._bind_sock = None

    def wait_ready(self, timeout):
        """Return once the worker answers /ping; ``Unavailable`` (with its log tail) if it
        exits or stays silent for ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise Unavailable(f"Worker exited before answering /ping. "
                                  f"Its output ends with: {self.log_tail()}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Unavailable(f"Worker did not answer /ping within {timeout} s. "
                                  f"Its output ends with: {self.log_tail()}")
            if ping(self.url, min(remaining, PING_ATTEMPT_TIMEOUT)):
                return
            time.sleep(PING_INTERVAL)

    def terminate(self):
        self._signal(signal.SIGTERM)

    def stop(self, grace):
        """SIGTERM, then SIGKILL after ``grace`` seconds; returns once the worker is gone."""
        self._close_bind()
        if self._pidfd is None:
            return
        self.terminate()
        if not select.select([self._pidfd], [], [], grace)[0]:
            self._signal(signal.SIGKILL)
            select.select([self._pidfd], [], [], grace)
        os.close(self._pidfd)
        self._pidfd = None

    def _signal(self, signum):
        if self._pidfd is None:
            return
        try:
            signal.pidfd_send_signal(self._pidfd, signum)
        except ProcessLookupError:
            pass

    def log_tail(self):
        return log_tail(self.log_path)


def ping(url, timeout):
    """True when ``GET <url>/ping`` answers 200 within ``timeout`` seconds."""
    host, _, port = url.rpartition("/")[2].partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", "/ping")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
