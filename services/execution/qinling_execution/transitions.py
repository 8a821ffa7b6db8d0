"""Writes of execution rows: the insert of a new one, and changes that may race, each one
compare-and-set UPDATE and a commit.

An execution leaves ``running`` exactly once: whichever of a synchronous run, a (re)delivered
asynchronous message or a cancel gets there first records it; every later attempt changes
nothing and learns so (``False``). Nothing here reads the row first. The caller's instance of
the row (``row``, else the one the session has loaded) takes the values written when the change
was made, else it is expired, so its next use reads it again.

These run on every execution, so they are Core statements on the table, built once: the ORM's
unit of work costs several times more per row.

Callers never change loaded rows themselves: under eventlet, a change flushed by a later query
would hold SQLite's write lock until the session ends, and a second writer's busy wait (in C)
stalls every greenlet of the process, the lock holder included.
"""
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from qinling_shared import clock
from qinling_shared.status import ExecutionStatus

from qinling_execution import metrics
from qinling_execution.models import Execution

LOG_LIMIT = 1024 * 1024  # characters of logs kept, whatever a worker sends
_RUNNING = ExecutionStatus.RUNNING.value
_TABLE = Execution.__table__
_DEFAULTS = {column.key: column.default.arg if column.default is not None
             and column.default.is_scalar else None for column in _TABLE.columns}
_INSERT = sa.insert(_TABLE)


def _update_statement(condition, *names, **expressions):
    """``UPDATE executions SET <names>, <expressions>, updated_at WHERE id = :row_id AND
    <condition>``; values are bound as ``new_<name>`` (a bind may not take a column's own
    name)."""
    values = {name: _bind(name) for name in names + ("updated_at",)}
    return sa.update(_TABLE).where(_TABLE.c.id == _bind("id", "row_id"), condition).values(
        **values, **expressions)


def _bind(column, name=None):
    return sa.bindparam(name or f"new_{column}", type_=_TABLE.c[column].type)


_FINISH = _update_statement(_TABLE.c.status == _RUNNING, "status", "result", "logs")
_KEEP_LOGS = _update_statement(sa.and_(_TABLE.c.status == ExecutionStatus.CANCELLED.value,
                                       _TABLE.c.logs.is_(None)), "logs")
_MARK_QUEUED = _update_statement(_TABLE.c.queued.is_(False), "queued")
_MARK_SENT = _update_statement(_TABLE.c.status == _RUNNING, "worker_url")
_COUNT_DELIVERY = (sa.update(_TABLE)
                   .where(_TABLE.c.id == _bind("id", "row_id"), _TABLE.c.status == _RUNNING)
                   .values(deliveries=_TABLE.c.deliveries + 1))
_COUNT_RETRY = _update_statement(_TABLE.c.status == _RUNNING, "logs",
                                 attempts=_TABLE.c.attempts + 1)


def create(session, **values):
    """Insert and commit a new execution; the row as an ``Execution`` not bound to the session
    (``IntegrityError`` for a repeated idempotency key of the project)."""
    row = dict(_DEFAULTS, created_at=clock.utcnow(), **values)
    session.connection().execute(_INSERT, row)
    session.commit()
    return Execution(**row)


def delete(session, execution_id):
    """Remove an execution that was never queued (its message could not be published)."""
    session.connection().execute(sa.delete(_TABLE).where(_TABLE.c.id == execution_id))
    session.commit()


def finish(session, execution_id, status, result, logs, row=None):
    """Record the end of a running execution; ``False`` when it had already ended."""
    status = ExecutionStatus(status).value
    ended = _update(session, _FINISH, execution_id, row, status=status, result=result,
                    logs=bounded(logs))
    if ended:
        metrics.execution_ended(status)
    return ended


def keep_logs(session, execution_id, logs, row=None):
    """The logs of a run that ended after its execution was cancelled, if none are kept yet."""
    return _update(session, _KEEP_LOGS, execution_id, row, logs=bounded(logs))


def count_retry(session, execution_id, reason):
    """One more retry of a running execution; ``reason`` becomes its logs meanwhile."""
    return _update(session, _COUNT_RETRY, execution_id, None, refresh=False,
                   logs=bounded(reason))


def count_delivery(session, execution_id):
    """One more take of a running execution's message by a consumer; the takes so far, or
    ``None`` when it is not running (any more)."""
    session.connection().execute(_COUNT_DELIVERY, {"row_id": execution_id})
    deliveries = session.connection().execute(
        sa.select(_TABLE.c.deliveries).where(_TABLE.c.id == execution_id,
                                             _TABLE.c.status == _RUNNING)).scalar()
    session.commit()
    return deliveries


def mark_sent(session, execution_id, worker_url, row=None):
    """Record the worker a run of a running execution is about to be sent to."""
    return _update(session, _MARK_SENT, execution_id, row, worker_url=worker_url)


def mark_queued(session, execution_id, row=None):
    return _update(session, _MARK_QUEUED, execution_id, row, queued=True)


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


def _update(session, statement, execution_id, row, refresh=True, **values):
    values["updated_at"] = clock.utcnow()
    parameters = {f"new_{name}": value for name, value in values.items()}
    changed = session.connection().execute(
        statement, {"row_id": execution_id, **parameters}).rowcount == 1
    session.commit()
    if row is None:
        row = session.identity_map.get(identity_key(Execution, execution_id))
    if row is None:
        return changed
    if changed and refresh:
        for name, value in values.items():  # the row now holds what was written
            set_committed_value(row, name, value)
    elif sa.inspect(row).session is not None:
        session.expire(row)  # read again on next use, as committed
    return changed
