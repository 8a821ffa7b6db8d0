"""What a redelivered ``create_execution`` answers (handler): the execution its first delivery
made, never a second one.

An RPC request is acked only after its reply, so when the replica handling a create dies, the
broker hands the request to a replica again (``qinling_nameko.rpc``). The create is found by
its key (the client's ``Idempotency-Key``, else the gateway's request key), and the replay
finishes what the first delivery may have left half done:

- asynchronous: the execution is queued if its first delivery died before the broker
  confirmed its message (the consumer is idempotent by execution id), then returned;
- synchronous: the first delivery's run may still go on (its replica lost only its broker
  connection) or have died with its replica. The replay never starts the function again: it
  waits for the execution to end, and past its deadline records it as an error, as the
  sweeper would; then returns it.
"""
import logging
import time

from qinling_shared import clock
from qinling_shared.exceptions import Unavailable
from qinling_shared.status import ExecutionStatus

from qinling_execution import outcomes, runs, sweeper, transitions

LOG = logging.getLogger(__name__)
POLL_INTERVAL = 0.5   # s between looks at a synchronous execution the replay waits for
NOTHING_MADE = ("The request expired before it was handled: no execution was made, and "
                "none will be.")
_RUNNING = ExecutionStatus.RUNNING.value


def answer(session, execution, execution_queue, sleep=time.sleep):
    """The execution a create's first delivery made, once it is queued or has ended."""
    LOG.info("a redelivered create found execution %s (%s)", execution.id, execution.status)
    if execution.status != _RUNNING:
        return execution.to_dict()
    if not execution.sync:
        if not execution.queued:
            _queue(session, execution_queue, execution)
        return execution.to_dict()
    return _ended(session, execution, sleep).to_dict()


def nothing_made():
    """A late redelivery of a create whose first delivery made nothing: it makes nothing."""
    return Unavailable(NOTHING_MADE)


def _queue(session, execution_queue, execution):
    """Publish the message the first delivery may not have published; a duplicate changes
    nothing (the consumer is idempotent by execution id)."""
    LOG.warning("queueing execution %s: its first create died before it was queued",
                execution.id)
    execution_queue.submit(execution.id)
    transitions.mark_queued(session, execution.id, row=execution)


def _ended(session, execution, sleep):
    """The synchronous ``execution`` once it has ended: by its first run, or recorded an
    error by this replay past its deadline."""
    while execution.status == _RUNNING:
        if execution.deadline_at is not None and clock.utcnow() > execution.deadline_at:
            transitions.finish(session, execution.id, ExecutionStatus.ERROR,
                               {"output": outcomes.FAILED_MESSAGE, "duration": None},
                               sweeper.STOPPED_REASON, row=execution)
        else:
            sleep(POLL_INTERVAL)
        session.commit()  # end the read transaction: the next read sees the latest commit
        execution = runs.reloaded(session, execution)
    return execution
