"""What the worker's init does when its runtime server asks: bind, download, cgroup, release.

One JSON line per message on the socket the two share (the runtime server's ``--init-fd``);
answers come in the order of the requests that get one:

    {"op": "bind", "uid": U}                    the sandbox's own step before the runtime
                                                server starts: the init drops to U too
    {"op": "download", "url": U, "into": PATH}  -> {"ok": true} | {"error": "why"}
    {"op": "cgroup", "memory": B, "cpu": M}     -> {"id": ID, "procs": [PATH, ...],
                                                    "join": [PATH, ...], "strict": S}
                                                   | {"id": null} | {"error": "why"}
    {"op": "release", "id": ID}                 the execution's child is reaped (no answer)

The cgroup layout is the sandbox's alone (``cgroups.py``, ``execlimits.py``): the runtime
server only writes its execution child into the files it is given: a child that writes
``0`` itself, single-threaded, uses ``join`` (``tasks`` under v1: no global lock), a parent
that writes a child's pid uses ``procs``. Nothing
else can reach the socket: only the init and the runtime server hold it, and execution
children close every descriptor they inherit.
"""
import http.client
import json
import os
import sys

from . import downloads, execlimits

ANSWERED = ("download", "cgroup")
EXPECTED_ERRORS = (OSError, ValueError, http.client.HTTPException, execlimits.SandboxError)


def line(message):
    return json.dumps(message).encode() + b"\n"


class RuntimeRequests:
    def __init__(self, cache_dir, worker_group, strict, bound):
        """``worker_group``: the worker's cgroup (None: no cgroup); ``bound(uid)`` drops the
        init's privileges when the runtime server is bound to a function."""
        self.cache_dir = cache_dir
        self.strict = strict
        self.bound = bound
        self.cgroups = (execlimits.ExecutionCgroups(worker_group, strict)
                        if worker_group is not None else None)
        self.scopes = {}  # group id -> the execution's scope, until released
        self._handlers = {"bind": self._bind, "download": self._download,
                          "cgroup": self._cgroup, "release": self._release}

    def answer(self, data):
        """The answer line to one request line, or None. Only a failed bind raises: the init
        must not go on with the privileges it was to drop."""
        try:
            message = json.loads(data)
            op = message["op"]
            handler = self._handlers[op]
        except (ValueError, KeyError, TypeError) as exc:
            _log(f"ignoring a bad request from the runtime server ({exc!r}): {data[:200]!r}")
            return None
        if op == "bind":
            handler(message)
            return None
        try:
            reply = handler(message)
        except EXPECTED_ERRORS as exc:
            reply = {"error": str(exc) or type(exc).__name__}
        except Exception as exc:  # noqa: B902 - the worker's init must outlive any request
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        if op in ANSWERED:
            return line(reply)
        if reply is not None:
            _log(f"{op} failed: {reply['error']}")
        return None

    def _bind(self, message):
        self.bound(message["uid"])

    def _download(self, message):
        downloads.download(message["url"], message["into"], self.cache_dir)
        return {"ok": True}

    def _cgroup(self, message):
        if self.cgroups is None:
            return {"id": None}
        scope = self.cgroups.prepare(message.get("memory"), message.get("cpu"))
        if scope.group is None:
            return {"id": None}
        group_id = os.path.basename(scope.group.paths[0])
        self.scopes[group_id] = scope
        return {"id": group_id, "procs": [os.path.join(path, "cgroup.procs")
                                          for path in scope.group.paths],
                "join": [os.path.join(path, name) for path, name
                         in zip(scope.group.paths, scope.group.join_files())],
                "strict": self.strict}

    def _release(self, message):
        scope = self.scopes.pop(message.get("id"), None)
        if scope is not None:
            scope.close()


def _log(message):
    print(f"qinling-sandbox: {message}", file=sys.stderr, flush=True)
