"""The outcomes of this worker's recent executions, by execution id: a run is idempotent by
its execution id at the worker.

``POST /execute`` of an execution this worker ran or is running runs nothing: it answers the
kept result (or waits for the run in progress and answers its result). ``POST /outcome``
tells the execution service what became of an execution it sent here before it stopped (it
was killed, its broker connection dropped): ``finished`` with the result, ``running``, or not
known here.

Kept results are bounded: the last ``limit`` of them, and at most ``byte_limit`` bytes of
outputs and logs; the oldest go first. A run that ended without a result (the worker failed
before it had one) is forgotten, so it may be sent again.
"""
import collections
import json
import threading

from .contract import BadRequest

LIMIT = 1024
BYTE_LIMIT = 16 * 1024 * 1024
MAX_WAIT = 300.0
FINISHED, RUNNING = "finished", "running"


class Outcomes:
    def __init__(self, limit=LIMIT, byte_limit=BYTE_LIMIT):
        self.limit, self.byte_limit = limit, byte_limit
        self._lock = threading.Lock()
        self._running = {}                         # execution id -> Event set when it ends
        self._done = collections.OrderedDict()     # execution id -> (result, size)
        self._bytes = 0

    def claim(self, execution_id):
        """``None`` when the caller is now the one running ``execution_id``; else the kept
        result, once the run in progress (if any) has ended (``None`` again if it ended
        without one: then the caller runs it)."""
        while True:
            with self._lock:
                if execution_id in self._done:
                    return self._done[execution_id][0]
                ended = self._running.get(execution_id)
                if ended is None:
                    self._running[execution_id] = threading.Event()
                    return None
            ended.wait()

    def finish(self, execution_id, result):
        """The run of ``execution_id`` ended with ``result`` (``None``: without one)."""
        with self._lock:
            ended = self._running.pop(execution_id, None)
            if result is not None:
                self._keep(execution_id, result)
        if ended is not None:
            ended.set()

    def state(self, execution_id, wait=0.0):
        """``(FINISHED, result)``, ``(RUNNING, None)`` or ``(None, None)`` (not known here),
        after waiting up to ``wait`` seconds for a run in progress to end."""
        with self._lock:
            ended = self._running.get(execution_id)
        if ended is not None and wait > 0:
            ended.wait(min(wait, MAX_WAIT))
        with self._lock:
            if execution_id in self._done:
                return FINISHED, self._done[execution_id][0]
            if execution_id in self._running:
                return RUNNING, None
        return None, None

    def _keep(self, execution_id, result):
        size = len(json.dumps(result.get("output"))) + len(result.get("logs") or "")
        self._done[execution_id] = (result, size)
        self._bytes += size
        while len(self._done) > self.limit or (self._bytes > self.byte_limit
                                               and len(self._done) > 1):
            _, (_, dropped) = self._done.popitem(last=False)
            self._bytes -= dropped


def parse_outcome(body):
    """``(execution_id, wait)`` of a decoded ``/outcome`` body."""
    if not isinstance(body, dict) or not isinstance(body.get("execution_id"), str):
        raise BadRequest("'execution_id' is required and must be a string.")
    wait = body.get("wait", 0)
    if isinstance(wait, bool) or not isinstance(wait, (int, float)) or wait < 0:
        raise BadRequest("'wait' must be a number of seconds, at least 0.")
    return body["execution_id"], wait


def answer(execution_id, state, result):
    """``(status, document)`` of ``POST /outcome``."""
    if state == FINISHED:
        return 200, {"execution_id": execution_id, "state": FINISHED, "result": result}
    if state == RUNNING:
        return 200, {"execution_id": execution_id, "state": RUNNING}
    return 404, {"error": f"Execution {execution_id} is not known here."}
