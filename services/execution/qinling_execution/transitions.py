"""Changes of execution rows that may race, each one compare-and-set UPDATE and a commit.

An execution leaves ``running`` exactly once: whichever of a synchronous run, a (re)delivered
asynchronous message or a cancel gets there first records it; every later attempt changes
nothing and learns so (``False``). Nothing here reads the row first. A loaded row is expired
afterwards, so its next use reads it again.

Callers never change loaded rows themselves: under eventlet, a change flushed by a later query
would hold SQLite's write lock until the session ends, and a second writer's busy wait (in C)
stalls every greenlet of the process, the lock holder included.
"""
import sqlalchemy as sa
from sqlalchemy.orm.util import identity_key

from qinling_shared import clock
from qinling_shared.status import ExecutionStatus

from qinling_execution.models import Execution

LOG_LIMIT = 1024 * 1024  # characters of logs kept, whatever a worker sends
_RUNNING = ExecutionStatus.RUNNING.value


def finish(session, execution_id, status, result, logs):
    """Record the end of a running execution; ``False`` when it had already ended."""
    return _update(session, execution_id, Execution.status == _RUNNING,
                   status=ExecutionStatus(status).value, result=result, logs=bounded(logs))


def keep_logs(session, execution_id, logs):
    """The logs of a run that ended after its execution was cancelled, if none are kept yet."""
    return _update(session, execution_id,
                   sa.and_(Execution.status == ExecutionStatus.CANCELLED.value,
                           Execution.logs.is_(None)),
                   logs=bounded(logs))


def count_retry(session, execution_id, reason):
    """One more retry of a running execution; ``reason`` becomes its logs meanwhile."""
    return _update(session, execution_id, Execution.status == _RUNNING,
                   attempts=Execution.attempts + 1, logs=bounded(reason))


def mark_queued(session, execution_id):
    return _update(session, execution_id, Execution.queued.is_(False), queued=True)


def unqueued(session, created_before, limit=100):
    """Ids of asynchronous executions accepted before ``created_before`` whose message was
    never confirmed (the service stopped in between)."""
    query = (sa.select(Execution.id)
             .where(Execution.status == _RUNNING, Execution.sync.is_(False),
                    Execution.queued.is_(False), Execution.created_at < created_before)
             .order_by(Execution.created_at).limit(limit))
    return list(session.scalars(query))


def overdue(session, now, limit=100):
    """Ids of synchronous executions still running past their deadline: the replica that ran
    them stopped before it could record them."""
    query = (sa.select(Execution.id)
             .where(Execution.status == _RUNNING, Execution.sync.is_(True),
                    Execution.deadline_at < now)
             .order_by(Execution.deadline_at).limit(limit))
    return list(session.scalars(query))


def bounded(logs, limit=LOG_LIMIT):
    """``logs`` cut to ``limit`` characters, head and tail kept around a marker."""
    if logs is None or len(logs) <= limit:
        return logs
    half = limit // 2
    return f"{logs[:half]}\n[logs truncated: {len(logs) - 2 * half} characters]\n{logs[-half:]}"


def _update(session, execution_id, condition, **values):
    statement = (sa.update(Execution)
                 .where(Execution.id == execution_id, condition)
                 .values(updated_at=clock.utcnow(), **values)
                 .execution_options(synchronize_session=False))
    changed = session.execute(statement).rowcount == 1
    session.commit()
    loaded = session.identity_map.get(identity_key(Execution, execution_id))
    if loaded is not None:
        session.expire(loaded)  # read again on next use, as committed
    return changed
