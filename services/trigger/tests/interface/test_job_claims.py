"""Two trigger-service replicas on one PostgreSQL database (migrated by Alembic, as the
service does): over 100 ticks, both read every due job before either claims it (the worst
interleaving), and each tick is still claimed once, and submitted only with its own
Idempotency-Key (one execution per key)."""
import datetime
import os
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

import qinling_trigger
from qinling_nameko.database import make_engine, upgrade
from qinling_nameko.providers import Caller

from qinling_trigger import job_firing, job_ticks, jobs
from qinling_trigger.models import Job

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CREATED = datetime.datetime(2030, 1, 1, 12, 0, 30)


@pytest.fixture
def postgres_url():
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/qinling_test_{uuid.uuid4().hex[:8]}"
    upgrade(url, os.path.join(os.path.dirname(qinling_trigger.__file__), "migrations"))
    yield url
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


class Function:
    def get_function(self, function_id):
        return {"id": function_id, "project_id": "p1"}


@pytest.fixture
def replicas(postgres_url):
    engines = [make_engine(postgres_url) for _ in range(2)]
    sessions = [Session(engine, expire_on_commit=False) for engine in engines]
    yield sessions
    for session, engine in zip(sessions, engines):
        session.close()
        engine.dispose()


def test_two_replicas_fire_each_of_100_ticks_exactly_once(replicas):
    first, second = replicas
    job_ids = [jobs.create_job({"function_id": "f1", "pattern": "* * * * *"}, db=first,
                               caller=Caller("p1", False), function=Function(),
                               now=CREATED)["id"] for _ in range(3)]
    submitted = []

    def submit(project_id, values, key):
        submitted.append(key)

    now = datetime.datetime(2030, 1, 1, 12, 1, 1)
    for _ in range(100):
        seen = [job_firing.due_jobs(session, now) for session in replicas]
        assert all(len(rows) == 3 for rows in seen)       # both read every due job
        wins = [sum(bool(job_firing.fire_job(session, row, submit, now)) for row in rows)
                for session, rows in zip(replicas, seen)]
        assert sum(wins) == 3                              # one claim per job and tick
        for session in replicas:
            session.expire_all()
        now += datetime.timedelta(minutes=1)

    expected = [job_ticks.idempotency_key(job_id, datetime.datetime(2030, 1, 1, 12, 1)
                                         + datetime.timedelta(minutes=minute))
                for job_id in job_ids for minute in range(100)]
    # both replicas may submit a tick (submit, then claim); the execution service runs one
    # execution per key, so every tick ran once: each key submitted, no other
    assert set(submitted) == set(expected) and len(expected) == 300
    assert first.scalar(sa.select(sa.func.count()).select_from(Job)
                        .where(Job.status == "running")) == 3


def test_a_blocked_claim_rechecks_the_row_and_loses(replicas):
    """Replica A's claim is not committed yet when B's runs: B's UPDATE waits on A's row lock
    (it cannot take the tick meanwhile), and once A commits, B's compare-and-set on the tick
    it read changes nothing."""
    first, second = replicas
    job_id = jobs.create_job({"function_id": "f1", "pattern": "* * * * *"}, db=first,
                             caller=Caller("p1", False), function=Function(),
                             now=CREATED)["id"]
    now = datetime.datetime(2030, 1, 1, 12, 1, 1)
    row_a, = job_firing.due_jobs(first, now)
    row_b, = job_firing.due_jobs(second, now)
    plan = job_ticks.plan_ticks(row_a.schedule_fields(), now)
    old, old_b = row_a.next_execution_time, row_b.next_execution_time
    assert old == old_b
    second.commit()
    # A updates without committing; B (with a lock timeout, so the test cannot hang) waits
    first.execute(sa.update(Job).where(Job.id == job_id, Job.next_execution_time == old,
                                       Job.status == "running")
                  .values(next_execution_time=plan.next_execution_time))
    second.execute(sa.text("SET lock_timeout = '200ms'"))
    with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
        job_firing.claim(second, job_id, old_b, plan, now)
    second.rollback()
    first.commit()
    assert job_firing.claim(second, job_id, old_b, plan, now) is False
