"""The driver's side of a zygote (``qinling_sandbox/zygote.py``), and the host probe.

The zygote is exec'd clean (minimal environment, only its control socket) and never forked
from the service itself, which runs under eventlet. Talking to it needs only ``select`` and
non-blocking ``sendmsg``/``recvmsg``, which work whether or not eventlet patched ``socket``.
"""
import json
import os
import select
import socket
import subprocess
import threading
import time

from qinling_shared.exceptions import Unavailable

ZYGOTE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "qinling_sandbox", "zygote.py")
ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "MALLOC_ARENA_MAX": "1",  # glibc arenas otherwise inflate virtual memory (RLIMIT_AS)
}
PROBE_TIMEOUT = 30.0
MAX_MESSAGE = 64 * 1024
LOG_TAIL_BYTES = 2000


def run_probe(python, scratch):
    """The host probe's facts, or ``{"error": ...}`` when it could not run."""
    try:
        done = subprocess.run([python, "-I", "-S", ZYGOTE, "--probe", "--scratch", scratch],
                              capture_output=True, env=dict(ENVIRONMENT), timeout=PROBE_TIMEOUT)
        if done.returncode == 0:
            return json.loads(done.stdout)
        return {"error": f"the probe exited with {done.returncode}: "
                         f"{done.stderr.decode(errors='replace').strip()[-500:]}"}
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return {"error": f"the probe could not run: {exc}"}


class Zygote:
    """One zygote process: started on first use, asked to fork workers. ``preload``: the
    Python runtime server it imports and runs in its workers (None: they exec theirs)."""

    def __init__(self, runtime, python, log_path, start_timeout, preload=None):
        self.runtime, self.python, self.preload = runtime, python, preload
        self.log_path, self.start_timeout = log_path, start_timeout
        self._lock = threading.Lock()
        self._popen = self._sock = self._pidfd = None

    def spawn(self, plan, fds):
        """Fork a worker following ``plan``, handing it ``fds`` (listening socket, log file,
        bind socket); returns ``(pid, pidfd)`` of the worker."""
        with self._lock:
            self._ensure_started()
            try:
                socket.send_fds(self._sock, [json.dumps({"op": "spawn", "plan": plan}).encode()],
                                fds)
                reply, fds = self._receive(self.start_timeout)
            except (OSError, Unavailable):
                self._stop()
                raise
        if not reply.get("ok"):
            raise Unavailable(f"The {self.runtime} zygote could not start worker "
                              f"{plan['name']}: {reply.get('error')}")
        return reply["pid"], fds[0]

    def close(self):
        with self._lock:
            self._stop()

    def _ensure_started(self):
        if self._popen is not None and self._popen.poll() is None:
            return
        self._stop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            with open(self.log_path, "ab") as log:
                preload = ["--preload", self.preload] if self.preload else []
                self._popen = subprocess.Popen(
                    [self.python, "-I", "-S", ZYGOTE, "--control-fd", str(theirs.fileno()),
                     "--parent-pid", str(os.getpid()), *preload],
                    pass_fds=(theirs.fileno(),), env=dict(ENVIRONMENT), stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        except (OSError, subprocess.SubprocessError) as exc:
            ours.close()
            raise Unavailable(f"Cannot start the {self.runtime} zygote {self.python!r}: {exc}")
        finally:
            theirs.close()
        self._sock, self._pidfd = ours, os.pidfd_open(self._popen.pid)
        try:
            self._receive(self.start_timeout, starting=True)
        except Unavailable:
            self._stop(grace=0)
            raise

    def _receive(self, timeout, starting=False):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Unavailable(f"The {self.runtime} zygote did not answer within {timeout:g} s."
                                  f" Its output ends with: {log_tail(self.log_path)}")
            ready = select.select([self._sock, self._pidfd], [], [], remaining)[0]
            if self._sock in ready:
                try:
                    data, fds, _, _ = socket.recv_fds(self._sock, MAX_MESSAGE, 2)
                except BlockingIOError:
                    continue
                if data:
                    return json.loads(data), fds
            if ready:
                code = self._popen.wait()
                what = "before it was ready" if starting else "while starting a worker"
                raise Unavailable(f"The {self.runtime} zygote exited with status {code} {what}. "
                                  f"Its output ends with: {log_tail(self.log_path)}")

    def _stop(self, grace=2.0):
        if self._sock is not None:
            self._sock.close()  # end of file: the zygote exits
        if self._popen is not None:
            try:
                self._popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait()
        if self._pidfd is not None:
            os.close(self._pidfd)
        self._popen = self._sock = self._pidfd = None


def log_tail(path, limit=LOG_TAIL_BYTES):
    try:
        with open(path, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - limit))
            tail = log.read().decode("utf-8", "replace").strip()
    except OSError:
        return "(no output)"
    return tail or "(no output)"
