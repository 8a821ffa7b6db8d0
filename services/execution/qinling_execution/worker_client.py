"""The worker client: ``POST /execute`` (and ``/cancel``, ``/outcome``) to workers on
keep-alive connections, results in Qinling's shape.

A worker always answers ``{output, duration, logs, success}``. When it cannot (unreachable,
a read timeout, an answer that is not a result), the client makes a result of the same shape
with Qinling's texts, so the caller records an execution either way:

- read timeout (function timeout + margin elapsed) → ``Function execution timeout.``
- anything else → ``Function execution failed.``, with the reason in ``logs``, and
  ``platform_failure: True``: the worker could not be reached or broke before it answered with
  a result, so the function may not have run (asynchronous executions retry those); also
  ``unreached: True`` when the connection was refused: the request never reached a worker
  (its process is gone; the socket it inherited went with it).
"""
import json
import time

from qinling_execution.worker_http import ConnectionPool, ProtocolError, ReadTimeout

TIMEOUT_MESSAGE = "Function execution timeout."
FINISHED, RUNNING = "finished", "running"  # what a worker knows of an execution (/outcome)
FAILED_MESSAGE = "Function execution failed."
DEFAULT_MARGIN = 5.0
CONNECT_TIMEOUT = 3.0
_REASON_LIMIT = 500


class WorkerClient:
    """One per process; thread- and greenlet-safe (idle connections kept per worker)."""

    def __init__(self, margin=DEFAULT_MARGIN, connect_timeout=CONNECT_TIMEOUT,
                 connections_per_worker=10):
        self.margin = margin
        self.connect_timeout = connect_timeout
        self._connections = ConnectionPool(per_worker=connections_per_worker)

    def execute(self, url, payload, timeout=None):
        """POST ``payload`` (the /execute body) to the worker at ``url``; the result dict.

        The read timeout is the function's ``timeout`` (default: the payload's) plus
        ``margin`` seconds: the worker enforces the function's timeout itself, the margin
        covers the package download and the round trip.
        """
        started = time.monotonic()
        read_timeout = float(timeout or payload.get("timeout") or 0) + self.margin
        try:
            response = self._post(url, "/execute", payload, read_timeout)
        except ReadTimeout:
            return _failure(TIMEOUT_MESSAGE, started,
                            f"The worker at {url} did not answer within {read_timeout} s.")
        except ConnectionRefusedError as exc:  # nothing listens: the request never left
            failure = _failure(FAILED_MESSAGE, started,
                               f"The worker at {url} could not be reached: {exc}", platform=True)
            return {**failure, "unreached": True}
        except (ProtocolError, OSError) as exc:
            return _failure(FAILED_MESSAGE, started, f"The worker at {url} failed: {exc}",
                            platform=True)
        return _result(response, started)

    def cancel(self, url, execution_id, timeout=2.0):
        """Ask the worker to kill the run of ``execution_id``; True when it was running there."""
        try:
            response = self._post(url, "/cancel", {"execution_id": execution_id}, timeout)
        except (ReadTimeout, ProtocolError, OSError):
            return False
        return response.status == 200

    def outcome(self, url, execution_id, wait=0.0):
        """What the worker at ``url`` knows of ``execution_id`` after waiting up to ``wait`` s
        for its run: ``("finished", result)``, ``("running", None)`` (also when it does not
        answer in time), or ``(None, None)`` when it does not know it, cannot be reached or
        answers something else."""
        try:
            response = self._post(url, "/outcome", {"execution_id": execution_id, "wait": wait},
                                  wait + self.margin)
        except ReadTimeout:  # it took the request and is busy: the run may still be going
            return RUNNING, None
        except (ProtocolError, OSError):
            return None, None
        try:
            document = json.loads(response.data) if response.status == 200 else None
        except ValueError:
            document = None
        state = document.get("state") if isinstance(document, dict) else None
        if state == FINISHED:
            result = _kept_result(document.get("result"))
            return (None, None) if result is None else (FINISHED, result)
        return (RUNNING, None) if state == RUNNING else (None, None)

    def close(self):
        self._connections.clear()

    def _post(self, url, path, document, read_timeout):
        return self._connections.request("POST", url.rstrip("/") + path,
                                         json.dumps(document).encode(), self.connect_timeout,
                                         read_timeout)


def _result(response, started):
    reason = None
    text = response.data.decode("utf-8", "replace")
    try:
        document = json.loads(text) if response.status == 200 else None
    except ValueError:
        document = None
        reason = f"The worker answered something that is not JSON: {text!r}"
    result = _kept_result(document)
    if result is not None:
        return result
    if reason is None:
        reason = f"The worker answered HTTP {response.status}: {text!r}"
    return _failure(FAILED_MESSAGE, started, reason, platform=True)


def _kept_result(document):
    """A worker's result in Qinling's shape, or None when ``document`` is not one."""
    if isinstance(document, dict) and {"output", "success"} <= document.keys():
        return {"output": document["output"], "success": document["success"] is True,
                "duration": document.get("duration", 0), "logs": document.get("logs") or ""}
    return None


def _failure(message, started, reason, platform=False):
    failure = {"output": message, "success": False,
               "duration": round(time.monotonic() - started, 3), "logs": reason[:_REASON_LIMIT]}
    if platform:
        failure["platform_failure"] = True
    return failure

