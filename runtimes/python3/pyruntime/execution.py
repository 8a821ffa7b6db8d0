"""One execution: a forked child runs the function; the worker waits, enforces the timeout and
collects its logs, and once it has answered, ends the child and reaps it.

Forking per execution means a crash, a limit kill or a timeout kill never takes the worker
down. The child sends its result as one length-prefixed frame on a pipe, so the worker does not
depend on end-of-file (processes the function started may still hold the pipe open).

A ``confinement`` (``sandbox.Sandbox`` under the local driver) may be given:
``confinement.prepare(request)`` (in the worker, before the fork) returns a scope;
``scope.enter()`` runs in the child before any user code (joining a cgroup of its own with the
request's cpu and memory limits), and ``scope.close()`` runs in the worker once the child is
ended (the sandbox kills the child and whatever the function left behind, and keeps or removes
the cgroup); the child is reaped after that.
"""
import json
import os
import select
import signal
import struct
import sys
import tempfile
import threading
import time
import traceback

from . import invoke, limits
from .contract import RESOURCE_MESSAGE, TIMEOUT_MESSAGE

LOG_LIMIT = 1024 * 1024
UNREADABLE_MESSAGE = "Function execution failed: its result could not be read."
_HEADER = struct.Struct("!Q")
_MAX_FRAME = invoke.MAX_RESULT_BYTES + 4096
_logs = threading.local()


def run(request, package_dir, log_limit=LOG_LIMIT, confinement=None, on_fork=None):
    """Execute ``request`` (a contract.ExecuteRequest) in a child. Returns ``(result, finish)``:
    the /execute response, and ``finish()``, which closes the confinement scope (ending every
    process of the execution) and ends and reaps the child. Call ``finish`` once the response
    is sent: the result is complete as soon as the child has written it. ``on_fork(pid)`` is
    called in the worker once the child exists (to cancel it)."""
    started = time.monotonic()
    scope = confinement.prepare(request) if confinement is not None else None

    def close_scope():
        if scope is not None:
            scope.close()
    try:
        result, end_child = _run(request, package_dir, log_limit, scope, started, on_fork)
    except BaseException:
        close_scope()
        raise

    def finish():
        # The scope first: it ends every process of the execution at once (its cgroup), the
        # child included, which is then reaped without waiting for a throttled exit.
        try:
            close_scope()
        finally:
            end_child()
    return result, finish


def _run(request, package_dir, log_limit, scope, started, on_fork=None):
    log = _log_file()
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        raise
    if pid == 0:
        _child(request, package_dir, log.fileno(), write_fd, scope)
    os.close(write_fd)
    child = _Child(pid)
    try:
        if on_fork is not None:
            on_fork(pid)
        payload, timed_out = _wait(child, read_fd, started + request.timeout)
    except BaseException:
        child.finish()
        raise
    finally:
        os.close(read_fd)
    result = _outcome(payload, timed_out)
    result["duration"] = round(time.monotonic() - started, 3)
    result["logs"] = read_logs(log, log_limit)

    def end_child():
        child.finish()
        log.truncate(0)  # nothing writes to it any more: give the space back now
    return result, end_child


def _log_file():
    """This thread's log file, empty. Each worker thread keeps one for the executions it runs
    (one at a time), instead of making a file per execution; it goes with the thread."""
    log = getattr(_logs, "file", None)
    if log is None:
        log = _logs.file = tempfile.TemporaryFile()
    log.seek(0)
    log.truncate()
    return log


def _outcome(payload, timed_out):
    if timed_out:
        return {"output": TIMEOUT_MESSAGE, "success": False}
    if payload is None:
        return {"output": RESOURCE_MESSAGE, "success": False}
    try:
        result = json.loads(payload)
        outcome = {"output": result["output"], "success": result["success"] is True}
        if result.get("openstack_used") is True:
            outcome["openstack_used"] = True
        return outcome
    except (ValueError, TypeError, KeyError):  # something else wrote to the result pipe
        return {"output": UNREADABLE_MESSAGE, "success": False}


def _child(request, package_dir, log_fd, write_fd, scope):
    """Body of the execution child; never returns."""
    status = 1
    try:
        os.setpgid(0, 0)
        limits.die_with_parent()
        _redirect_output(log_fd)
        _close_fds(keep=write_fd)
        if scope is not None:
            scope.enter()
        limits.apply(request.memory_size, request.cpu, request.timeout)
        print(f"Start execution: {request.execution_id}")
        result = invoke.call(package_dir, request.entry, request.input, request.openstack)
        print(f"Finished execution: {request.execution_id}")
        data = invoke.encode(result)
        sys.stdout.flush()
        sys.stderr.flush()
        _write_all(write_fd, _HEADER.pack(len(data)) + data)
        status = 0
    except BaseException:  # noqa: B902 - the child must reach os._exit whatever happens
        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(status)


def _redirect_output(log_fd):
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    # Fresh, line-buffered streams: the worker's own may hold buffered data or a lock that
    # another thread owned at fork time.
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace",
                      closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace",
                      closefd=False)


def _close_fds(keep):
    """Close everything inherited from the worker (listening socket, other connections)."""
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _wait(child, read_fd, deadline):
    """Read the child's result frame until ``deadline``. Returns ``(payload or None,
    timed_out)``. With a frame, the child has nothing left to do and is ended afterwards;
    without one, wait for it to exit to tell a death (a limit kill) from a timeout."""
    frame, timed_out = _read_frame(child, read_fd, deadline)
    if frame is None and not timed_out and not child.exited(deadline - time.monotonic()):
        timed_out = True  # it closed the pipe but kept running
    return frame, timed_out


def _read_frame(child, read_fd, deadline):
    buffer = bytearray()
    watched = [read_fd] + child.exit_fds
    while True:
        frame = _complete(buffer)
        if frame is not False:
            return frame, False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, True
        ready = select.select(watched, [], [], remaining)[0]
        if read_fd in ready:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                return None, False  # end of file without a complete frame
            buffer += chunk
        elif ready:  # the child exited: whatever it wrote is in the pipe already
            _drain(read_fd, buffer)
            return _complete(buffer) or None, False


def _complete(buffer):
    """The frame's payload once complete; ``None`` for an oversized frame; else ``False``."""
    if len(buffer) < _HEADER.size:
        return False
    (length,) = _HEADER.unpack_from(buffer)
    if length > _MAX_FRAME:
        return None
    end = _HEADER.size + length
    return bytes(buffer[_HEADER.size:end]) if len(buffer) >= end else False


def _drain(read_fd, buffer):
    while len(buffer) <= _MAX_FRAME and select.select([read_fd], [], [], 0)[0]:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            return
        buffer += chunk


class _Child:
    """The execution child until it is reaped."""

    def __init__(self, pid):
        self.pid = pid
        try:
            os.setpgid(pid, pid)  # also done by the child: whichever runs first wins the race
        except OSError:
            pass
        try:  # a pidfd becomes readable when the child exits (Linux 5.3+)
            self._pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self._pidfd = None
        self.exit_fds = [] if self._pidfd is None else [self._pidfd]

    def exited(self, timeout):
        """Wait up to ``timeout`` seconds for the child to exit, without reaping it: while it
        is a zombie its pid and process group id cannot be reused."""
        if self._pidfd is not None:
            return bool(select.select([self._pidfd], [], [], max(timeout, 0))[0])
        deadline = time.monotonic() + timeout
        while os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True

    def finish(self):
        """Kill the child's process group (a timeout, processes the function left behind, or
        the child itself once it has written its result), then reap the child."""
        for kill, target in ((os.killpg, self.pid), (os.kill, self.pid)):
            try:
                kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        os.waitpid(self.pid, 0)
        if self._pidfd is not None:
            os.close(self._pidfd)


def read_logs(log, limit):
    """Captured stdout and stderr; beyond ``limit`` bytes, the head and the tail are kept."""
    size = log.seek(0, os.SEEK_END)
    log.seek(0)
    if size <= limit:
        return log.read().decode("utf-8", "replace")
    half = limit // 2
    head = log.read(half)
    log.seek(size - half)
    tail = log.read(half)
    marker = f"\n... [logs truncated: {size} bytes, {size - 2 * half} omitted] ...\n"
    return head.decode("utf-8", "replace") + marker + tail.decode("utf-8", "replace")
