"""The server's side of the local driver's sandbox (``--init-fd``): the worker's init process
downloads packages for this server, which has no network, and makes the cgroup of each
execution. The sandbox owns the cgroup layout; this server's execution child only writes ``0``
(itself) into the files it is given (``join``; ``procs`` from an older sandbox). The protocol (one JSON line per message) is in
runtimes/README.md.
"""
import json
import threading

from .packages import DownloadError

MAX_LINE = 64 * 1024


class SandboxError(RuntimeError):
    """The sandbox refused an execution's cgroup (where isolation is required)."""


class Sandbox:
    """``download`` for the package cache and ``prepare`` for ``execution.run(confinement=)``."""

    def __init__(self, sock):
        self.sock = sock
        self._lock = threading.Lock()
        self._reader = sock.makefile("rb")

    def download(self, url, path):
        answer = self._ask({"op": "download", "url": url, "into": path})
        if "error" in answer:
            raise DownloadError(answer["error"])

    def prepare(self, request):
        """The execution's cgroup, made by the sandbox with the request's limits."""
        answer = self._ask({"op": "cgroup", "memory": request.memory_size, "cpu": request.cpu})
        if "error" in answer:
            raise SandboxError(answer["error"])
        return ExecutionGroup(self, answer["id"], answer.get("join") or answer.get("procs", ()),
                              answer.get("strict", False))

    def release(self, group_id):
        with self._lock:
            self.sock.sendall(_line({"op": "release", "id": group_id}))

    def _ask(self, message):
        try:
            with self._lock:
                self.sock.sendall(_line(message))
                line = self._reader.readline(MAX_LINE)
        except OSError:
            line = b""
        if not line:
            return {"error": "the worker's init is gone"}
        return json.loads(line)


class ExecutionGroup:
    """One execution's cgroup (or none: ``group_id`` None, the sandbox runs without one).
    ``strict``: a child that cannot join it must not run the function."""

    def __init__(self, sandbox, group_id, procs, strict):
        self.sandbox, self.group_id, self.procs = sandbox, group_id, list(procs)
        self.strict = strict

    def enter(self):
        """In the execution child, before user code, while it is single-threaded: join the
        execution's cgroup (writing ``0``: the writer itself)."""
        try:
            for path in self.procs:
                with open(path, "w") as procs:
                    procs.write("0")  # 0: the writing process
        except OSError:
            if self.strict:
                raise

    def close(self):
        """Once the outcome is known: the sandbox ends every process of the group (the child
        included) and keeps or removes the group."""
        if self.group_id is not None:
            self.sandbox.release(self.group_id)


def _line(message):
    return json.dumps(message).encode() + b"\n"
