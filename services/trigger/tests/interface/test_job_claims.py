"""Two trigger-service replicas on one PostgreSQL or MariaDB database (migrated by Alembic,
as the service does): over 100 ticks, both read every due job before either claims it (the worst
interleaving), and each tick is still claimed once, and submitted only with its own
Idempotency-Key (one execution per key)."""
import datetime
import os

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

import qinling_trigger
from qinling_nameko.database import make_engine, upgrade
from qinling_nameko.providers import Caller
from qinling_testing.databases import scratch_database

from qinling_trigger import job_firing, job_ticks, jobs
from qinling_trigger.models import Job

CREATED = datetime.datetime(2030, 1, 1, 12, 0, 30)
# how a session stops waiting for a row lock, and what it then raises
LOCK_TIMEOUT = {"postgresql": ("SET lock_timeout = '200ms'", "lock timeout"),
                "mariadb": ("SET SESSION innodb_lock_wait_timeout = 1", "Lock wait timeout")}


@pytest.fixture(params=sorted(LOCK_TIMEOUT))
def server(request):
    return request.param


@pytest.fixture
def database_url(server, tmp_path):
    with scratch_database(server, tmp_path) as url:
        upgrade(url, os.path.join(os.path.dirname(qinling_trigger.__file__), "migrations"))
        yield url


class Function:
    def get_function(self, function_id):
        return {"id": function_id, "project_id": "p1"}


@pytest.fixture
def replicas(database_url):
    engines = [make_engine(database_url) for _ in range(2)]
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

    def submit(project_id, values, key, trust_id=None):
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


def test_a_blocked_claim_rechecks_the_row_and_loses(replicas, server):
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
    set_timeout, timed_out = LOCK_TIMEOUT[server]
    second.execute(sa.text(set_timeout))
    with pytest.raises(sa.exc.OperationalError, match=timed_out):
        job_firing.claim(second, job_id, old_b, plan, now)
    second.rollback()
    first.commit()
    assert job_firing.claim(second, job_id, old_b, plan, now) is False
