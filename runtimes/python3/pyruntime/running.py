"""The executions running in this worker, so that ``POST /cancel`` can stop one.

``POST /cancel {"execution_id": "..."}`` kills the process group of the execution's child
(the child and whatever it started); the run then ends at once and its result says
``Function execution cancelled.`` A cancel that arrives before the child was forked kills it as
soon as it is.
"""
import contextlib
import os
import signal
import threading

from .contract import BadRequest

CANCELLED_MESSAGE = "Function execution cancelled."


class Running:
    def __init__(self):
        self._lock = threading.Lock()
        self._runs = {}         # execution id -> [pids of one run] per run (usually one)
        self._cancelled = set()

    @contextlib.contextmanager
    def track(self, execution_id):
        """Around one run of ``execution_id``: yields the callback that gets its child's pid."""
        run = []
        with self._lock:
            self._runs.setdefault(execution_id, []).append(run)

        def forked(pid):
            with self._lock:
                run.append(pid)
                if execution_id in self._cancelled:
                    _kill(pid)

        try:
            yield forked
        finally:
            with self._lock:
                runs = self._runs[execution_id]
                runs.remove(run)
                if not runs:
                    del self._runs[execution_id]
                    self._cancelled.discard(execution_id)

    def cancel(self, execution_id):
        """Kill the run(s) of ``execution_id``; ``False`` when none runs here."""
        with self._lock:
            if execution_id not in self._runs:
                return False
            self._cancelled.add(execution_id)
            for run in self._runs[execution_id]:
                for pid in run:
                    _kill(pid)
        return True

    def cancelled(self, execution_id):
        with self._lock:
            return execution_id in self._cancelled


def parse_cancel(body):
    """The execution id of a decoded ``/cancel`` body."""
    if not isinstance(body, dict) or not isinstance(body.get("execution_id"), str):
        raise BadRequest("'execution_id' is required and must be a string.")
    return body["execution_id"]


def _kill(pid):
    # The child leads its own process group (its pgid is its pid). A cancel between the
    # child's reaping and the end of its ``track`` could reach a reused pid: a window of
    # microseconds in which the pid space would have to wrap around.
    for kill, target in ((os.killpg, pid), (os.kill, pid)):
        try:
            kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
