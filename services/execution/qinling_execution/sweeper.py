"""The sweeper (handler of a timer): queues again the asynchronous executions whose message was
never confirmed, ends the synchronous ones left running past their deadline by a replica
that stopped, and removes the containers of ended executions (``image_reaping``)."""
import datetime
import logging

from qinling_shared import clock
from qinling_shared.status import ExecutionStatus

from qinling_execution import image_reaping, outcomes, transitions

LOG = logging.getLogger(__name__)
UNQUEUED_GRACE = 30.0   # s an accepted asynchronous execution may stay unqueued
SWEEP_INTERVAL = 10.0   # s between sweeps
STOPPED_REASON = "The execution service running it stopped before it ended.\n"


def sweep(session, execution_queue, orchestrator, active_runs):
    now = clock.utcnow()
    for execution_id in transitions.unqueued(
            session, now - datetime.timedelta(seconds=UNQUEUED_GRACE)):
        LOG.warning("queueing execution %s again: it was never queued", execution_id)
        execution_queue.submit(execution_id)
        transitions.mark_queued(session, execution_id)
    for execution_id in transitions.overdue(session, now):
        LOG.warning("execution %s is past its deadline: recorded as an error", execution_id)
        transitions.finish(session, execution_id, ExecutionStatus.ERROR,
                           {"output": outcomes.FAILED_MESSAGE, "duration": None},
                           STOPPED_REASON)
    try:
        image_reaping.reap(session, orchestrator, active_runs)
    except Exception:  # noqa: B902 - e.g. the container engine is down: next sweep
        LOG.exception("the containers of ended executions could not be removed")
