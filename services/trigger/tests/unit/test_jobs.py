"""Job handlers on a database in memory, with a fixed ``now``."""
import datetime

import pytest

from qinling_nameko.providers import Caller
from qinling_shared.exceptions import InvalidInput, NotFound

from qinling_trigger import job_rules, jobs

NOW = datetime.datetime(2030, 1, 1, 12, 0, 30)
FIELDS = {"id", "name", "project_id", "function_id", "function_version", "function_alias",
          "function_input", "pattern", "status", "count", "first_execution_time",
          "next_execution_time", "created_at", "updated_at"}


def create(session, caller, function, now=NOW, **values):
    return jobs.create_job(values, db=session, caller=caller, function=function, now=now)


def update(session, caller, job_id, now=NOW, **values):
    return jobs.update_job(job_id, values, db=session, caller=caller, now=now)


def test_create_a_cron_job_shows_qinlings_fields_and_times(session, caller, function):
    pattern = "*/5 * * * *" + " " * 40  # no 32-character cut
    job = create(session, caller, function, function_id="f1", pattern=pattern.strip(),
                 function_input="x" * 1000, name="tick")
    assert set(job) == FIELDS
    assert job["status"] == "running" and job["count"] is None
    assert job["function_version"] == 0 and job["function_input"] == "x" * 1000
    assert job["next_execution_time"] == "2030-01-01T12:05:00Z"
    assert job["first_execution_time"] == "2030-01-01T12:05:00Z"
    assert jobs.get_job(job["id"], db=session, caller=caller) == job


def test_one_shot_job_runs_once_at_its_time(session, caller, function):
    job = create(session, caller, function, function_alias="prod",
                 first_execution_time="2030-01-01T14:00:00+01:00")
    assert (job["count"], job["pattern"]) == (1, None)
    assert job["next_execution_time"] == "2030-01-01T13:00:00Z"  # offset kept, in UTC


@pytest.mark.parametrize("values, message", [
    ({"pattern": "* * * * *"}, job_rules.NO_TARGET),
    ({"function_id": "f1"}, job_rules.NO_SCHEDULE),
    ({"function_id": "f1", "first_execution_time": "2030-01-01T12:01:00"}, job_rules.TOO_SOON),
    ({"function_id": "f1", "pattern": "61 * * * *"},
     "The specified pattern is not valid: 61 * * * *"),
    ({"function_id": "f1", "first_execution_time": "2030-01-02T00:00:00", "count": 2},
     job_rules.ONE_SHOT_COUNT)])
def test_create_gives_qinlings_exact_400(session, caller, function, values, message):
    with pytest.raises(InvalidInput) as raised:
        create(session, caller, function, **values)
    assert raised.value.message == message
    assert jobs.list_jobs(None, db=session, caller=caller) == []


def test_create_needs_the_callers_own_function(session, caller, function):
    with pytest.raises(NotFound, match=r"^Function not found \[id=f9\]$"):
        create(session, caller, function, function_id="f9", pattern="* * * * *")
    with pytest.raises(NotFound, match=r"^FunctionAlias not found \[name=nope\]$"):
        create(session, caller, function, function_alias="nope", pattern="* * * * *")


def test_pause_resume_cancel(session, caller, function):
    job = create(session, caller, function, function_id="f1", pattern="0 * * * *")
    assert update(session, caller, job["id"], status="paused")["status"] == "paused"
    later = NOW + datetime.timedelta(hours=3)
    resumed = update(session, caller, job["id"], now=later, status="running")
    assert resumed["status"] == "running"
    assert resumed["next_execution_time"] == "2030-01-01T16:00:00Z"  # next after resuming
    assert update(session, caller, job["id"], status="cancelled")["status"] == "cancelled"
    with pytest.raises(InvalidInput, match=r"^Can not update a finished job\.$"):
        update(session, caller, job["id"], status="running")


def test_changing_the_job_type_is_refused(session, caller, function):
    one_shot = create(session, caller, function, function_id="f1",
                      first_execution_time="2030-01-02T00:00:00")
    with pytest.raises(InvalidInput, match=r"^Can not change job type\.$"):
        update(session, caller, one_shot["id"], pattern="* * * * *")


def test_update_of_a_job_the_scheduler_just_fired_applies_on_the_new_state(
        session, caller, function, monkeypatch):
    """The scheduler claims a tick between the handler's read and its write: the update's
    compare-and-set misses, and it is applied again on the row as it is now, never
    overwriting the claimed tick."""
    job = create(session, caller, function, function_id="f1", pattern="* * * * *")
    real_changes, calls = job_rules.job_changes, []

    def changes_then_scheduler_fires(fields, values, now):
        calls.append(fields["next_execution_time"])
        if len(calls) == 1:
            session.connection().execute(
                jobs.sa.update(jobs.Job).where(jobs.Job.id == job["id"]).values(
                    next_execution_time=datetime.datetime(2030, 1, 1, 12, 2), count=None))
        return real_changes(fields, values, now)

    monkeypatch.setattr(job_rules, "job_changes", changes_then_scheduler_fires)
    renamed = update(session, caller, job["id"], name="renamed")
    assert len(calls) == 2
    assert renamed["name"] == "renamed"
    assert renamed["next_execution_time"] == "2030-01-01T12:02:00Z"


def test_others_cannot_see_a_job_and_delete_removes_it(session, caller, function):
    job = create(session, caller, function, function_id="f1", pattern="* * * * *")
    with pytest.raises(NotFound, match=rf"^Job not found \[id={job['id']}\]$"):
        jobs.get_job(job["id"], db=session, caller=Caller("p2", False))
    assert jobs.get_job(job["id"], db=session, caller=Caller("p2", True))["id"] == job["id"]
    jobs.delete_job(job["id"], db=session, caller=caller)
    assert jobs.list_jobs(None, db=session, caller=caller) == []


def test_function_usage_counts_unfinished_jobs_of_the_version(session, caller, function):
    create(session, caller, function, function_id="f1", pattern="* * * * *")
    versioned = create(session, caller, function, function_id="f1", function_version=1,
                       pattern="* * * * *")
    create(session, caller, function, function_alias="prod", pattern="* * * * *")
    assert jobs.function_usage("f1", None, db=session) == 2
    assert jobs.function_usage("f1", 1, db=session) == 1
    update(session, caller, versioned["id"], status="cancelled")
    assert jobs.function_usage("f1", None, db=session) == 1
