"""Compare-and-set transitions of execution rows on real databases (SQLite file, PostgreSQL,
MariaDB), with concurrent transactions in real threads; and migration 0002 on existing rows."""
import datetime
import os

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from eventlet import patcher
from sqlalchemy.orm import Session

import qinling_execution
from qinling_nameko.database import ensure_database, make_engine, upgrade
from qinling_testing.databases import KINDS, scratch_database

from qinling_execution import transitions
from qinling_execution.models import Execution

real_threading = patcher.original("threading")
MIGRATIONS = os.path.join(os.path.dirname(qinling_execution.__file__), "migrations")


@pytest.fixture(params=KINDS)
def database_url(request, tmp_path):
    with scratch_database(request.param, tmp_path, "execution") as url:
        yield url


@pytest.fixture
def engine(database_url):
    upgrade(database_url, MIGRATIONS)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def running(engine, execution_id="e1", sync=False):
    with Session(engine) as session:
        session.add(Execution(id=execution_id, project_id="p", function_id="f",
                              status="running", sync=sync))
        session.commit()


def in_real_thread(function):
    """Start ``function`` in an OS thread (eventlet would run it only when we block)."""
    outcome = {}
    thread = real_threading.Thread(target=lambda: outcome.update(value=function()))
    thread.start()
    return thread, outcome


def test_a_second_finish_waits_for_the_first_then_changes_nothing(engine):
    running(engine)
    first, second = Session(engine), Session(engine)
    statement = (sa.update(Execution).where(Execution.id == "e1", Execution.status == "running")
                 .values(status="success", result={"output": "first"}))
    assert first.execute(statement).rowcount == 1  # holds the row, not committed yet
    thread, outcome = in_real_thread(lambda: transitions.finish(
        second, "e1", "failed", {"output": "second"}, "second"))
    thread.join(0.3)
    assert thread.is_alive()  # blocked behind the first transaction
    first.commit()
    thread.join(10)
    assert outcome["value"] is False
    with Session(engine) as session:
        row = session.get(Execution, "e1")
        assert (row.status, row.result, row.logs) == ("success", {"output": "first"}, None)
    first.close()
    second.close()


def test_of_many_concurrent_finishes_exactly_one_records(engine):
    running(engine)
    sessions = [Session(engine) for _ in range(6)]
    started = [in_real_thread(lambda s=s, n=n: transitions.finish(
        s, "e1", "success", {"output": n}, f"run {n}")) for n, s in enumerate(sessions)]
    for thread, _ in started:
        thread.join(30)
    wins = [n for n, (_, outcome) in enumerate(started) if outcome["value"]]
    assert len(wins) == 1
    with Session(engine) as session:
        assert session.get(Execution, "e1").result == {"output": wins[0]}
    for session in sessions:
        session.close()


def test_cancelled_logs_are_kept_once(engine):
    running(engine)
    with Session(engine) as session:
        assert transitions.finish(session, "e1", "cancelled", {"output": "c"}, None)
        assert transitions.keep_logs(session, "e1", "late logs")
        assert not transitions.keep_logs(session, "e1", "later logs")
        assert not transitions.count_retry(session, "e1", "retry")
        assert session.get(Execution, "e1").logs == "late logs"


def test_retries_counted_and_the_sweep_queries(engine):
    running(engine, "async")
    running(engine, "sync", sync=True)
    now = datetime.datetime(2030, 1, 1)
    with Session(engine) as session:
        assert transitions.count_retry(session, "async", "retry 1")
        assert transitions.count_retry(session, "async", "retry 2")
        assert session.get(Execution, "async").attempts == 2
        assert transitions.unqueued(session, now) == ["async"]
        assert transitions.mark_queued(session, "async")
        assert transitions.unqueued(session, now) == []
        assert transitions.overdue(session, now) == []
        session.get(Execution, "sync").deadline_at = now - datetime.timedelta(seconds=1)
        session.commit()
        assert transitions.overdue(session, now) == ["sync"]


def test_logs_are_bounded():
    assert transitions.bounded("abc", 10) == "abc"
    cut = transitions.bounded("a" * 50 + "b" * 50, 20)
    assert cut == "a" * 10 + "\n[logs truncated: 80 characters]\n" + "b" * 10


def test_idempotency_keys_are_unique_per_project(engine):
    with Session(engine) as session:
        for execution_id, project in (("a", "p1"), ("b", "p2"), ("c", "p1")):
            session.add(Execution(id=execution_id, project_id=project, function_id="f",
                                  status="running", sync=True,
                                  idempotency_key=None if execution_id == "c" else "k"))
        session.commit()
        session.add(Execution(id="d", project_id="p1", function_id="f", status="running",
                              sync=True, idempotency_key="k"))
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


def test_0002_marks_running_async_rows_unqueued(database_url):
    ensure_database(database_url)
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.set_main_option("sqlalchemy.url", database_url)
    command.upgrade(cfg, "0001")
    engine = sa.create_engine(database_url)
    insert = sa.text(
        "INSERT INTO executions (id, project_id, function_id, function_version, status, sync, "
        "created_at) VALUES (:id, 'p', 'f', 0, :status, :sync, :at)")
    with engine.begin() as conn:
        for execution_id, status, sync in (("async-running", "running", False),
                                           ("async-done", "success", False),
                                           ("sync-running", "running", True)):
            conn.execute(insert, {"id": execution_id, "status": status, "sync": sync,
                                  "at": datetime.datetime(2020, 1, 1)})
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT id, queued FROM executions")).all())
    assert rows == {"async-running": False, "async-done": True, "sync-running": True}
    command.downgrade(cfg, "0001")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("executions")}
    assert "idempotency_key" not in columns and "queued" not in columns
    engine.dispose()
