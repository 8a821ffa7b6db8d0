"""The consumer of the execution queue (handler): runs one queued execution and applies the
retry policy (``retries``).

Each take of a message is counted on its execution first, so that a message that keeps
interrupting its consumer is given up. A platform failure is retried after a backoff (the
message waits in a delay queue); anything else is recorded before the message is acked, so a
redelivered message of a finished, cancelled or deleted execution changes nothing. A message
of an execution whose run was already sent to a worker (its row names the worker: the consumer
that took it before was cut short, or the run failed on the way back) asks that worker first
(``recalls``): a run it finished is recorded from its kept result, one it still runs is
awaited, and only one no worker knows is run again.
"""
import logging

from qinling_shared.exceptions import QinlingError

from qinling_execution import metrics, outcomes, recalls, retries, runs, targets, transitions
from qinling_execution.execution_queue import parse_message
from qinling_execution.models import Execution

LOG = logging.getLogger(__name__)


def run_queued(body, caller, *, session, function, caches, storage, placement, worker_client,
               active_runs, execution_queue, keystone=None):
    """Run the execution of one message of the execution queue (acked when this returns)."""
    try:
        execution_id, retries_done = parse_message(body)
    except ValueError as exc:
        LOG.error("dropped a message of the execution queue: %s", exc)
        return
    deliveries = transitions.count_delivery(session, execution_id)
    if deliveries is None:
        return  # finished (a redelivery), cancelled or deleted
    execution = session.get(Execution, execution_id)
    recalled = recalls.recall(execution, caches=caches, function=function,
                              worker_client=worker_client)
    if recalled is not None:
        runs.record(session, execution, recalled)
        return
    if retries.interrupted_too_often(deliveries, retries_done):
        runs.record(session, execution, outcomes.interrupted(deliveries - retries_done - 1))
        return
    spec, outcome = runs.attempt(
        execution, None, caller, session=session, caches=caches, function=function,
        storage=storage, placement=placement, worker_client=worker_client,
        active_runs=active_runs, keystone=keystone)
    policy = execution_queue.policy
    limit = policy.limit_for(_max_retries(execution, spec, caches, function))
    step = retries.next_step(outcome.get("platform_failure"), retries_done, limit)
    if step == retries.RETRY:
        retry = retries_done + 1
        execution_queue.retry(execution_id, retry)
        note = outcomes.retry_note(outcome, retry, limit, policy.delay_ms(retry))
        transitions.count_retry(session, execution_id, note)
        metrics.retried()
        return
    if step == retries.GIVE_UP:  # a dead letter: kept as an error, with its reason
        outcome = outcomes.given_up(outcome, retries_done)
    runs.record(session, execution, outcome)


def _max_retries(execution, spec, caches, function):
    """The function's own retry maximum (kept on the live function, whatever version runs),
    or ``None``."""
    if spec is not None and execution.function_version == 0:
        return spec.get("max_retries")
    try:
        live = targets.spec(execution.function_id, 0, None, caches, function)
    except QinlingError:
        return None
    return live.get("max_retries")
