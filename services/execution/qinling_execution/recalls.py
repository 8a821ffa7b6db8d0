"""Recalls: asking the worker a run of an execution was sent to what became of it, before the
run is sent again (the rules are in ``redeliveries``). Used by the consumer of the execution
queue for every take of a message whose execution's row names a worker."""
import logging
import time

from qinling_shared.exceptions import QinlingError

from qinling_execution import outcomes, redeliveries, targets
from qinling_execution.worker_client import TIMEOUT_MESSAGE

LOG = logging.getLogger(__name__)
WAIT = 30.0             # seconds one ask waits at the worker for a run in progress
DEFAULT_TIMEOUT = 300   # the function's timeout when its spec cannot be had
MARGIN = 10.0           # seconds the wait budget adds to the function's timeout


def recall(execution, *, caches, function, worker_client, clock=time.monotonic):
    """The outcome of the run the row's worker has of ``execution`` (its kept result, once
    finished), or ``None`` when it must run (again): nothing was sent, or no worker knows it."""
    url = execution.worker_url
    if redeliveries.first_step(url) == redeliveries.RUN:
        return None
    give_up = clock() + _timeout(execution, caches, function) + MARGIN
    while True:
        left = give_up - clock()
        state, result = worker_client.outcome(url, execution.id, wait=max(0.0, min(WAIT, left)))
        step = redeliveries.after_answer(state, give_up - clock())
        if step == redeliveries.RECORD:
            LOG.info("execution %s had run on worker %s: its result is recorded, not run again",
                     execution.id, url)
            return result
        if step == redeliveries.RUN:
            LOG.info("execution %s is not known at worker %s (it never got the run, or is "
                     "gone with it): running it again", execution.id, url)
            return None
        if step == redeliveries.TIMED_OUT:
            return {**outcomes.failure(f"Its worker {url} still ran it past its timeout."),
                    "success": False, "output": TIMEOUT_MESSAGE}


def _timeout(execution, caches, function):
    try:
        spec = targets.spec(execution.function_id, execution.function_version, None, caches,
                            function)
    except QinlingError:
        return DEFAULT_TIMEOUT
    return spec.get("timeout") or DEFAULT_TIMEOUT
