"""Pure rules from the outcome of one run (the worker's ``{output, duration, logs, success}``,
or one made here when the run could not happen) to what an execution records.

``success`` is ``True`` (``success``), ``False`` (the function failed: ``failed``) or ``None``
(the platform could not run it: ``error``, Qinling's status for engine failures). An outcome
with ``platform_failure`` may be retried (``retries``).
"""
from qinling_shared.status import ExecutionStatus

FAILED_MESSAGE = "Function execution failed."
CANCELLED_MESSAGE = "Function execution cancelled."

_STATUS = {True: ExecutionStatus.SUCCESS, False: ExecutionStatus.FAILED,
           None: ExecutionStatus.ERROR}


def failure(reason, platform=False):
    """The outcome of a run that did not happen; ``reason`` goes to the logs."""
    outcome = {"success": None, "output": FAILED_MESSAGE, "logs": f"{reason}\n", "duration": 0}
    if platform:
        outcome["platform_failure"] = True
    return outcome


WORKER_DIED = ("The worker running it ended during the execution: the function killed it or "
               "exhausted the worker's limits. A new worker runs the next execution.")


def worker_died(outcome):
    """The outcome of a run whose worker died under it (a platform failure, but the function
    ran and most likely caused it): ``failed``, with the reason, and never retried."""
    logs = (outcome.get("logs") or "").rstrip()
    return {"success": False, "output": FAILED_MESSAGE, "duration": outcome.get("duration", 0),
            "logs": f"{WORKER_DIED}\n" + (f"{logs}\n" if logs else "")}


def cancelled():
    """The outcome of a run that was not started because its execution was cancelled."""
    return {"success": None, "output": CANCELLED_MESSAGE, "logs": "", "duration": 0}


def interrupted(times):
    """The outcome of an execution whose run was interrupted ``times`` times (its consumer
    stopped or failed before it could record anything), now given up."""
    return failure(f"Gave up: its run was interrupted {times} times (the execution service "
                   "stopped or failed while running it).")


def status_of(outcome):
    return _STATUS[outcome["success"]]


def result_of(outcome):
    return {"output": outcome.get("output"), "duration": outcome.get("duration")}


def given_up(outcome, retries):
    """A platform failure with no retries left: recorded as an error, with the reason kept."""
    note = ""
    if retries:
        note = f"Gave up after {retries} {'retry' if retries == 1 else 'retries'}.\n"
    logs = outcome.get("logs") or ""
    if logs and not logs.endswith("\n"):
        logs += "\n"
    return {**outcome, "success": None, "output": FAILED_MESSAGE, "logs": logs + note}


def retry_note(outcome, retry, limit, delay_ms):
    """The logs of an execution waiting for a retry."""
    return (f"{(outcome.get('logs') or '').rstrip()}\n"
            f"Retry {retry} of {limit} in {delay_ms / 1000:g} s.\n").lstrip("\n")
