"""One local worker process: spawn it on an inherited socket, wait for /ping, stop it.

Socket activation: the driver binds 127.0.0.1:0 and hands the listening socket to the worker
as a file descriptor, so there is no port race, and requests sent while the worker boots wait
in the backlog. The driver closes its own copy at once: once the worker dies, connecting fails
instead of hanging.

Works under eventlet monkey patching (the execution service): ``subprocess``, ``socket`` and
``time`` are green there, and nothing here starts a thread.
"""
import ctypes
import http.client
import os
import signal
import socket
import subprocess
import time

from qinling_shared.exceptions import Unavailable

PING_INTERVAL = 0.01
PING_ATTEMPT_TIMEOUT = 1.0
LOG_TAIL_BYTES = 2000
WORKER_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "MALLOC_ARENA_MAX": "1",  # glibc arenas otherwise inflate virtual memory per thread
}
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)  # loaded before any fork: preexec must not load it


def _die_with_parent():
    """preexec_fn: the kernel SIGKILLs the worker when the thread that spawned it exits
    (the process, for an eventlet service, whose greenlets share one OS thread)."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class WorkerProcess:
    def __init__(self, popen, url, log_path):
        self.popen = popen
        self.url = url
        self.log_path = log_path

    @classmethod
    def spawn(cls, command, cwd, log_path):
        """Start ``command + ["--fd", N]`` with a fresh listening socket as fd N."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind(("127.0.0.1", 0))
            listener.listen(128)
            fd = listener.fileno()
            with open(log_path, "wb") as log:
                popen = subprocess.Popen(
                    [*command, "--fd", str(fd)], pass_fds=(fd,), cwd=cwd, env=dict(WORKER_ENV),
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True, preexec_fn=_die_with_parent)
            port = listener.getsockname()[1]
        except (OSError, subprocess.SubprocessError) as exc:
            raise Unavailable(f"Cannot start worker {command[0]!r}: {exc}") from exc
        finally:
            listener.close()
        return cls(popen, f"http://127.0.0.1:{port}", log_path)

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def wait_ready(self, timeout):
        """Return once the worker answers /ping; ``Unavailable`` (with its log tail) if it
        exits or stays silent for ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            code = self.popen.poll()
            if code is not None:
                raise Unavailable(f"Worker exited with status {code} before answering /ping. "
                                  f"Its output ends with: {self.log_tail()}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Unavailable(f"Worker did not answer /ping within {timeout} s. "
                                  f"Its output ends with: {self.log_tail()}")
            if ping(self.url, min(remaining, PING_ATTEMPT_TIMEOUT)):
                return
            time.sleep(PING_INTERVAL)

    def terminate(self):
        if self.alive():
            self.popen.terminate()

    def stop(self, grace):
        """SIGTERM, then SIGKILL after ``grace`` seconds; always reaps the process."""
        self.terminate()
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def log_tail(self, limit=LOG_TAIL_BYTES):
        try:
            with open(self.log_path, "rb") as log:
                log.seek(max(0, log.seek(0, os.SEEK_END) - limit))
                tail = log.read().decode("utf-8", "replace").strip()
        except OSError:
            return "(no output)"
        return tail or "(no output)"


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
