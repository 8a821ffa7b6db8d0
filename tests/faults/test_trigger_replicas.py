"""Two trigger services on one PostgreSQL database, one killed (SIGKILL) while it fires a
minute's ticks: every tick still runs exactly once, the survivor taking the rest and the
ticks after (issue #10: any number of trigger replicas, each tick fired exactly once).

The platform runs on PostgreSQL (one database per service, made at start) with a second
trigger service beside its own. ``JOBS`` cron jobs (every minute, ``count`` 2) run the
counted function (``qinling_testing.run_counter``), each with its number as ``n``, so runs
are counted by what ran, outside the platform. Around the first tick the platform's own
trigger service is stopped (SIGSTOP), so that the second one fires that tick alone; it is
killed (SIGKILL) as soon as the first of the tick's executions exists, in the middle of its
round of submits and claims (a claim's transaction dies with its connection), and the first
one goes on (SIGCONT). It must fire the rest of that tick (a tick the dead one submitted but
had not claimed is submitted again with the same key: the same execution) and the next one.

Then every job has exactly two executions, one in each tick's minute, each a success that
ran once, and is done.
"""
import datetime
import json
import os
import signal
import time
import uuid

import pytest
import sqlalchemy as sa
from kombu import Connection

from qinling_shared import queues
from qinling_testing import processes
from qinling_testing.api_client import ApiClient
from qinling_testing.fault_checks import executions_by_number
from qinling_testing.platform import START_TIMEOUT, healthy_platform

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
DATABASES = ("function", "execution", "trigger")
JOBS = 30
TICKS = 2                 # each job's count: the tick of the kill, and the next one
LEAD = datetime.timedelta(seconds=12)       # time the jobs need before their first tick
STOP_BEFORE = datetime.timedelta(seconds=3)  # the first replica stops this long before it
DEADLINE = 60.0
ENDED = {"success", "error", "failed"}


@pytest.fixture(scope="module")
def prefix():
    """The names of the platform's databases: ``<prefix>_<service>``."""
    return f"qinling_replicas_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def platform(prefix):
    """The platform with every service database on PostgreSQL (dropped afterwards)."""
    try:
        with healthy_platform(conf_overrides={
                "database": {"connection": f"{POSTGRES}/{prefix}_{{service}}"},
                "local": {"allow_network": "true"}}) as running:
            yield running
    finally:
        drop_databases(prefix)


def drop_databases(prefix):
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for service in DATABASES:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{prefix}_{service}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def second_trigger(platform):
    """A second trigger service on the platform's config (so on its database), serving
    once the RPC queue of the trigger service has its two consumers."""
    proc = processes.spawn([platform.bin_dir / "qinling-trigger", "--config-file",
                            platform.conf_path], platform.log_path("trigger-2"),
                           cwd=platform.dir, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        ready = processes.wait_ready(proc, lambda: trigger_consumers(platform) == 2,
                                     START_TIMEOUT)
        assert ready, processes.tail(platform.log_path("trigger-2"))
        yield proc
    finally:
        processes.terminate([proc], grace=5)
        processes.kill_group(proc.pid)


def trigger_consumers(platform):
    url = platform.rabbit.transport_url.replace("rabbit://", "amqp://")
    with Connection(url) as connection:
        return connection.channel().queue_declare(
            queues.rpc_queue("trigger"), passive=True).consumer_count


def claimed(prefix, tick):
    """How many jobs have a tick after ``tick`` claimed, read in the trigger database."""
    engine = sa.create_engine(f"{POSTGRES}/{prefix}_trigger")
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT count(*) FROM jobs WHERE count < :ticks"),
                               {"ticks": TICKS})
    finally:
        engine.dispose()


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def wait_until(moment):
    """Wait for the clock to reach ``moment`` (naive UTC)."""
    time.sleep(max(0.0, (moment - utcnow()).total_seconds()))


def first_tick_with_lead():
    """The next whole minute at least ``LEAD`` ahead (waits past a nearer one)."""
    tick = utcnow().replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    if tick - utcnow() < LEAD:
        wait_until(tick)
        tick += datetime.timedelta(minutes=1)
    return tick


def create_jobs(api, function_id, counter, tick):
    jobs = []
    for n in range(JOBS):
        response = api.post("/v1/jobs", json={
            "function_id": function_id, "pattern": "* * * * *", "count": TICKS,
            "function_input": json.dumps({"n": n, "counter": counter.url})})
        assert response.status_code == 201, response.text
        jobs.append(response.json())
    assert {job["next_execution_time"] for job in jobs} == {f"{tick:%Y-%m-%dT%H:%M:%SZ}"}
    return jobs


def job_executions(api, function_id):
    """``{n: [execution, ...]}`` of the jobs (the warm-up run, ``n`` -1, left out)."""
    return {n: made for n, made in executions_by_number(api, function_id).items() if n >= 0}


def poll(read, until, deadline=DEADLINE, interval=0.05):
    """``read()`` once ``until`` holds for it; fails after ``deadline`` seconds."""
    give_up = time.monotonic() + deadline
    while not until(value := read()):
        assert time.monotonic() < give_up, f"still {value!r} after {deadline:g} s"
        time.sleep(interval)
    return value


def settled(api, function_id, jobs, last_tick):
    """The jobs' executions once every job is done and every execution has ended."""
    wait_until(last_tick)
    poll(lambda: {api.get(f"/v1/jobs/{job['id']}").json()["status"] for job in jobs},
         lambda statuses: statuses == {"done"}, interval=0.5)
    return poll(lambda: job_executions(api, function_id),
                lambda rows: all(e["status"] in ENDED for made in rows.values()
                                 for e in made), interval=0.5)


def test_a_replica_killed_while_it_fires_a_tick_repeats_and_loses_none(
        platform, prefix, second_trigger, counter, function_id):
    api = ApiClient(platform.url)
    try:
        tick = first_tick_with_lead()
        jobs = create_jobs(api, function_id, counter, tick)
        wait_until(tick - STOP_BEFORE)
        platform.kill("trigger", signal.SIGSTOP)   # the second replica fires the tick alone
        try:
            poll(lambda: job_executions(api, function_id), bool, deadline=LEAD.seconds)
            second_trigger.kill()                  # mid-round: SIGKILL
            second_trigger.wait()
            # read after its death: what it submitted, and the ticks it also claimed
            by_the_killed = len(job_executions(api, function_id))
            claimed_by_the_killed = claimed(prefix, tick)
        finally:
            platform.kill("trigger", signal.SIGCONT)
        rows = settled(api, function_id, jobs, tick + datetime.timedelta(minutes=1))
        for job in jobs:
            shown = api.get(f"/v1/jobs/{job['id']}").json()
            assert (shown["status"], shown["count"]) == ("done", 0), shown
    finally:
        api.close()

    ticks = [tick + datetime.timedelta(minutes=i) for i in range(TICKS)]
    for n in range(JOBS):
        made = rows.get(n, [])
        minutes = sorted(e["created_at"][:16] for e in made)
        assert minutes == [f"{t:%Y-%m-%dT%H:%M}" for t in ticks], (n, made)
        assert {e["status"] for e in made} == {"success"}, (n, made)
        assert counter.runs[n] == TICKS, (n, counter.runs[n], made)
    assert set(rows) == set(range(JOBS))
    # it took part in the tick, and died before it had claimed all of it
    assert by_the_killed > 0 and claimed_by_the_killed < JOBS
    assert claimed_by_the_killed <= by_the_killed    # a tick is submitted before it is claimed
    print(f"\n{JOBS} jobs x {TICKS} ticks: the killed replica had submitted "
          f"{by_the_killed} of the first tick's {JOBS} executions and claimed "
          f"{claimed_by_the_killed} of them; the survivor made the other "
          f"{JOBS * TICKS - by_the_killed}; runs {sum(counter.runs[n] for n in range(JOBS))}")
