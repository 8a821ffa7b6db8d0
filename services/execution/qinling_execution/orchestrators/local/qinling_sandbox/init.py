"""The worker's init process: pid 1 of the worker's pid namespace.

It serves its runtime server's requests (``runtime_requests.py``: package downloads, since the
server has no network, and a cgroup per execution) and reaps every process that ends up its
child (the runtime server, and orphans of executions). It runs as root until the runtime server
is bound to a function: the first line on their socket, ``{"op": "bind", "uid": U}``, makes it
drop its privileges too (before any request of the server). It also ends when the zygote does
(watching a pidfd of it: the parent-death signal does not survive the uid change), except
when the execution service died with it (killed): then the worker is an **orphan** and
lingers for ``linger`` seconds, so that the runs it has finish and the service, started
again, can ask it what became of them (``POST /outcome``), before it ends. It exits with the
runtime server's status when that exits, and on SIGTERM (the driver stopping the worker);
either way the kernel then kills everything left in the namespace.
"""
import os
import select
import signal
import time

from . import wakeups

SERVICE_GRACE = 0.5  # seconds the service's end may trail the zygote's (it killed the zygote)


def serve(sock, requests, runtime_pid, zygote_fd, service_fd=None, linger=0.0):
    """Run until the runtime server ``runtime_pid`` or the zygote (``zygote_fd``, a pidfd)
    exits, or, when the service (``service_fd``, a pidfd) died too, ``linger`` seconds after
    the zygote; returns the server's exit code. ``requests.answer(line)`` serves each line."""
    wake_r, _ = wakeups.on_child_exit()
    signal.signal(signal.SIGTERM, _stop)
    watched, pending, ends_at = [sock, wake_r, zygote_fd], b"", None
    while True:
        status = reap(runtime_pid)
        if status is not None:
            return status
        timeout = None if ends_at is None else ends_at - time.monotonic()
        if timeout is not None and timeout <= 0:
            return 0
        ready = select.select(watched, [], [], timeout)[0]
        if zygote_fd in ready:
            if not (linger > 0 and orphaned(service_fd)):
                return 0
            watched.remove(zygote_fd)
            ends_at = time.monotonic() + linger
        if wake_r in ready:
            wakeups.drain(wake_r)
        if sock in ready:
            chunk = sock.recv(65536)
            if not chunk:
                watched.remove(sock)  # the runtime server is going; reaping will tell
                continue
            pending += chunk
            while b"\n" in pending:
                line, _, pending = pending.partition(b"\n")
                answer = requests.answer(line)
                if answer is not None:
                    sock.sendall(answer)


def reap(runtime_pid):
    """Reap every exited child; the runtime server's exit code once it has exited."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid == 0:
            return None
        if pid == runtime_pid:
            return os.waitstatus_to_exitcode(status)


def orphaned(service_fd, grace=SERVICE_GRACE):
    """Whether the execution service (a pidfd, or None) has ended, within ``grace`` s."""
    return service_fd is not None and bool(select.select([service_fd], [], [], grace)[0])


def _stop(signum, frame):
    raise SystemExit(0)
