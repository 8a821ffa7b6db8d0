"""The execution API (handlers): create, get, list, delete and cancel executions.

Status machine: ``running → success | failed | error | cancelled``, left exactly once by a
compare-and-set UPDATE (``transitions``). A synchronous execution runs in the RPC call
(``runs``); its deadline is the function's timeout plus ``DEADLINE_SLACK``, past which the
sweeper ends it. An asynchronous one is committed, then queued durably (``execution_queue``)
before the call returns; the consumer runs it (``consumer``).
"""
import datetime
import logging
import uuid

from sqlalchemy.exc import IntegrityError

from qinling_nameko.database import get_scoped
from qinling_shared import clock
from qinling_shared.exceptions import Conflict, Unavailable
from qinling_shared.start_by import Verdict
from qinling_shared.status import ExecutionStatus

from qinling_execution import image_runs, listings, outcomes, replays, requests_rules, runs
from qinling_execution import targets
from qinling_execution import transitions
from qinling_execution.cancellation import EXECUTION_CANCELLED
from qinling_execution.models import Execution

LOG = logging.getLogger(__name__)
DEADLINE_SLACK = 60.0   # s beyond the function timeout: worker start, download, round trips
_RUNNING = ExecutionStatus.RUNNING.value


def create_execution(values, idempotency_key, caller, *, session, function, caches, storage,
                     placement, worker_client, active_runs, execution_queue, request_key=None,
                     delivery=Verdict.RUN, keystone=None):
    """Run (sync) or queue (async) an execution; the execution. A create is idempotent by
    its key: the client's ``idempotency_key`` (a repeat in the project returns the first
    execution with it, as it is now), else the gateway's ``request_key``. A redelivered create
    (``delivery``, from ``qinling_nameko.rpc``) answers with what its first delivery made
    (``replays``); a late one makes nothing new."""
    caller.authorize("execution:create")
    key = requests_rules.idempotency_key(idempotency_key)
    request_key = requests_rules.request_key(request_key)
    # A first delivery's own request key made nothing yet (a second copy of one request
    # meets the first at the unique index, in _accept): no query for it on the hot path.
    first = _by_key(session, caller, key,
                    request_key if delivery is not Verdict.RUN else None)
    if first is not None:
        if delivery is Verdict.RUN:
            return first.to_dict()
        return replays.answer(session, first, execution_queue)
    if delivery is Verdict.LATE_REPLAY:
        raise replays.nothing_made()
    clean = requests_rules.new_execution(values)
    if clean["function_alias"]:
        target = targets.alias_target(clean["function_alias"], caller, caches, function)
        clean["function_id"] = target["function_id"]
        clean["function_version"] = target["function_version"]
    spec = targets.runnable_spec(clean["function_id"], clean["function_version"], caller,
                                 caches, function, session)
    image_runs.check(spec, placement.orchestrator)
    execution, created = _accept(session, caller, clean, spec, key, request_key)
    if not created:  # another request with the same key committed first
        return execution.to_dict()
    if execution.sync:
        return runs.run(execution, spec, caller, session=session, caches=caches,
                        storage=storage, placement=placement, worker_client=worker_client,
                        active_runs=active_runs, keystone=keystone).to_dict()
    _enqueue(session, execution_queue, execution)
    return execution.to_dict()


def get_execution(execution_id, caller, session):
    caller.authorize("execution:get")
    return _visible(session, execution_id, caller).to_dict()


def get_execution_log(execution_id, caller, session):
    caller.authorize("execution:get_log")
    return _visible(session, execution_id, caller).logs or ""


def list_executions(query, caller, session):
    caller.authorize("execution:get_all")
    rows = listings.executions(session, query, caller.project_id,
                              caller.may_list_all("execution"))
    return [execution.to_dict() for execution in rows]


def delete_execution(execution_id, caller, session):
    caller.authorize("execution:delete")
    session.delete(_visible(session, execution_id, caller))
    session.commit()


def cancel_execution(execution_id, caller, session, dispatch):
    """Record a running execution ``cancelled`` at once and tell every replica, so that the
    one running it stops its run (``cancellation``); ``Conflict`` when it has already ended."""
    caller.authorize("execution:cancel")
    execution = _visible(session, execution_id, caller)
    elapsed = (clock.utcnow() - execution.created_at).total_seconds()
    result = {"output": outcomes.CANCELLED_MESSAGE, "duration": round(elapsed, 3)}
    if not transitions.finish(session, execution_id, ExecutionStatus.CANCELLED, result, None,
                              row=execution):
        execution = runs.reloaded(session, execution)
        raise Conflict(f"Execution {execution_id} has already ended: {execution.status}.")
    dispatch(EXECUTION_CANCELLED, {"id": execution_id})
    return execution.to_dict()


def _visible(session, execution_id, caller):
    return get_scoped(session, Execution, execution_id, caller.project_id, caller.is_admin,
                      f"Execution not found [id={execution_id}]")


def _by_key(session, caller, key, request_key):
    """The project's execution made with the client's ``key`` if there is one, else with the
    gateway's ``request_key``; ``None`` when neither made one."""
    if key is not None:
        return session.query(Execution).filter_by(
            project_id=caller.project_id, idempotency_key=key).one_or_none()
    if request_key is not None:
        return session.query(Execution).filter_by(
            project_id=caller.project_id, request_key=request_key).one_or_none()
    return None


def _accept(session, caller, clean, spec, key, request_key):
    """``(execution, True)`` once the new ``running`` row is committed; ``(first, False)``
    when another request with the same key committed first."""
    deadline = None
    if clean["sync"]:
        deadline = clock.utcnow() + datetime.timedelta(seconds=spec["timeout"] + DEADLINE_SLACK)
    try:
        execution = transitions.create(
            session, id=str(uuid.uuid4()), project_id=caller.project_id, status=_RUNNING,
            idempotency_key=key, request_key=request_key, deadline_at=deadline,
            trust_id=None if clean["sync"] else caller.trust_id or spec.get("trust_id"),
            **clean)
    except IntegrityError:
        session.rollback()
        first = _by_key(session, caller, key, request_key)
        if first is None:
            raise
        return first, False
    return execution, True


def _enqueue(session, execution_queue, execution):
    """Publish the execution's message (confirmed); if that fails the row goes too."""
    try:
        execution_queue.submit(execution.id)
    except Unavailable:
        LOG.exception("could not queue execution %s", execution.id)
        transitions.delete(session, execution.id)
        raise
    transitions.mark_queued(session, execution.id, row=execution)
