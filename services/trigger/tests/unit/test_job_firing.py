"""The scheduler on a database in memory: claims, submits, ``count`` and missed ticks."""
import datetime

from qinling_nameko.providers import Caller
from qinling_testing.fake_keystone import FakeKeystone
from qinling_trigger import job_firing, job_ticks, jobs
from qinling_trigger.models import Job

CREATED = datetime.datetime(2030, 1, 1, 12, 0, 30)
MINUTE = datetime.timedelta(minutes=1)


class Submits:
    def __init__(self, failures=0):
        self.calls, self.trusts, self.failures = [], [], failures

    def __call__(self, project_id, values, key, trust_id=None):
        self.calls.append((project_id, values, key))
        self.trusts.append(trust_id)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker away")


def new_job(session, caller, function, **values):
    return jobs.create_job(values, db=session, caller=caller, function=function, now=CREATED)


def test_a_recurring_job_with_count_3_runs_exactly_3_times_and_ends_done(
        session, caller, function):
    job = new_job(session, caller, function, function_id="f1", function_input='{"a": 1}',
                  pattern="* * * * *", count=3)
    submit = Submits()
    now = datetime.datetime(2030, 1, 1, 12, 1, 0, 200000)
    for _ in range(6):       # two polls per minute, six minutes
        job_firing.fire_due_jobs(session, submit, now)
        job_firing.fire_due_jobs(session, submit, now + datetime.timedelta(seconds=1))
        now += MINUTE
    ticks = [datetime.datetime(2030, 1, 1, 12, minute) for minute in (1, 2, 3)]
    assert submit.calls == [
        ("p1", {"function_id": "f1", "function_version": 0, "sync": False,
                "input": '{"a": 1}', "description": f"Created by Job {job['id']}"},
         job_ticks.idempotency_key(job["id"], tick)) for tick in ticks]
    shown = jobs.get_job(job["id"], db=session, caller=caller)
    assert (shown["status"], shown["count"]) == ("done", 0)
    assert shown["next_execution_time"] == "2030-01-01T12:03:00Z"


def test_an_alias_job_submits_the_alias_to_be_resolved_when_it_fires(
        session, caller, function):
    new_job(session, caller, function, function_alias="prod", pattern="* * * * *")
    submit = Submits()
    job_firing.fire_due_jobs(session, submit, datetime.datetime(2030, 1, 1, 12, 1, 1))
    (_, values, _), = submit.calls
    assert values["function_alias"] == "prod" and "function_id" not in values


def test_a_stale_claimer_loses_the_tick(session, caller, function):
    """Two replicas read the same due job; the second's compare-and-set changes nothing."""
    new_job(session, caller, function, function_id="f1", pattern="* * * * *")
    now = datetime.datetime(2030, 1, 1, 12, 1, 5)
    row, = job_firing.due_jobs(session, now)
    fields = row.schedule_fields()
    plan = job_ticks.plan_ticks(fields, now)
    old = fields["next_execution_time"]
    assert job_firing.claim(session, row.id, old, plan, now) is True
    assert job_firing.claim(session, row.id, old, plan, now) is False


def test_missed_ticks_after_a_downtime_are_skipped(session, caller, function):
    job = new_job(session, caller, function, function_id="f1", pattern="* * * * *")
    submit = Submits()
    after_downtime = datetime.datetime(2030, 1, 1, 13, 0, 5)
    job_firing.fire_due_jobs(session, submit, after_downtime)
    assert [key for _, _, key in submit.calls] == [
        job_ticks.idempotency_key(job["id"], datetime.datetime(2030, 1, 1, 13, 0))]
    submit.calls.clear()
    job_firing.fire_due_jobs(session, submit, after_downtime, catch_up=0)
    assert submit.calls == []
    shown = jobs.get_job(job["id"], db=session, caller=caller)
    assert shown["next_execution_time"] == "2030-01-01T13:01:00Z"


def test_catch_up_runs_the_latest_missed_ticks(session, caller, function):
    job = new_job(session, caller, function, function_id="f1", pattern="* * * * *")
    submit = Submits()
    job_firing.fire_due_jobs(session, submit, datetime.datetime(2030, 1, 1, 13, 0, 5),
                             catch_up=2)
    assert [key for _, _, key in submit.calls] == [
        job_ticks.idempotency_key(job["id"], datetime.datetime(2030, 1, 1, 12, minute))
        for minute in (58, 59)] + [
        job_ticks.idempotency_key(job["id"], datetime.datetime(2030, 1, 1, 13, 0))]


def test_a_failed_submit_leaves_its_tick_due_and_stops_no_other_job(
        session, caller, function):
    first = new_job(session, caller, function, function_id="f1", pattern="* * * * *")
    second = new_job(session, caller, function, function_id="f1", function_version=1,
                     pattern="* * * * *")
    submit = Submits(failures=job_firing.SUBMIT_ATTEMPTS)  # the first job's attempts all fail
    now = datetime.datetime(2030, 1, 1, 12, 1, 1)
    fired = job_firing.fire_due_jobs(session, submit, now)
    assert set(fired) == {second["id"]}               # the first is not claimed: still due
    keys = [key for _, _, key in submit.calls]
    assert len(keys) == job_firing.SUBMIT_ATTEMPTS + 1
    assert len(set(keys[:job_firing.SUBMIT_ATTEMPTS])) == 1
    again = job_firing.fire_due_jobs(session, submit, now + datetime.timedelta(seconds=1))
    assert set(again) == {first["id"]}                 # the next poll: same tick, same key
    assert submit.calls[-1][2] == keys[0]


def test_a_replica_that_died_before_its_claim_leaves_the_tick_to_the_next_poll(
        session, caller, function):
    """It submitted, then died: the tick is still due, is submitted again with the same key
    (one execution: the execution service returns the first of a key) and claimed."""
    job = new_job(session, caller, function, function_id="f1", pattern="* * * * *")
    submit = Submits()
    now = datetime.datetime(2030, 1, 1, 12, 1, 1)
    row, = job_firing.due_jobs(session, now)
    plan = job_ticks.plan_ticks(row.schedule_fields(), now)
    for tick in plan.fire:          # what the replica did before it died: no claim
        job_firing.submit_tick(submit, row, job_firing.execution_values(row), tick)
    assert job_firing.fire_due_jobs(session, submit, now + datetime.timedelta(seconds=2)) == {
        job["id"]: plan.fire}
    key = job_ticks.idempotency_key(job["id"], datetime.datetime(2030, 1, 1, 12, 1))
    assert [k for _, _, k in submit.calls] == [key, key]


def test_paused_and_not_yet_due_jobs_do_not_fire(session, caller, function):
    paused = new_job(session, caller, function, function_id="f1", pattern="* * * * *")
    jobs.update_job(paused["id"], {"status": "paused"}, db=session, caller=caller,
                    now=CREATED)
    new_job(session, caller, function, function_id="f1", pattern="0 0 1 1 *")
    submit = Submits()
    assert job_firing.fire_due_jobs(session, submit, datetime.datetime(2030, 1, 1, 12, 1, 1)) == {}
    assert submit.calls == []
    assert session.get(Job, paused["id"]).status == "paused"


def test_the_next_tick_within_a_poll_is_waited_for(session, caller, function):
    assert job_firing.next_due_in(session, CREATED) is None          # no job
    job = new_job(session, caller, function, function_id="f1", pattern="* * * * *")
    tick = datetime.datetime(2030, 1, 1, 12, 1)
    assert job_firing.next_due_in(session, tick - datetime.timedelta(seconds=2)) is None
    assert job_firing.next_due_in(session, tick - datetime.timedelta(seconds=0.25)) == 0.25
    assert job_firing.next_due_in(session, tick) is None             # due now: the poll's
    jobs.update_job(job["id"], {"status": "paused"}, db=session, caller=caller, now=CREATED)
    assert job_firing.next_due_in(session, tick - datetime.timedelta(seconds=0.25)) is None


def test_a_job_keeps_a_trust_of_its_creator_its_ticks_act_through(session, function):
    keystone = FakeKeystone()
    alice = Caller("p1", False, "alice", ("member",), auth_token="alices-token")
    job = jobs.create_job({"function_id": "f1", "pattern": "* * * * *"}, db=session,
                          caller=alice, function=function, now=CREATED, keystone=keystone)
    assert keystone.trusts == {"trust-1": ("alice", "p1", ("member",), "alices-token")}
    submit = Submits()
    job_firing.fire_due_jobs(session, submit, CREATED + MINUTE)
    assert submit.trusts == ["trust-1"]
    jobs.delete_job(job["id"], db=session, caller=alice, keystone=keystone)
    assert keystone.deleted == [("trust-1", "alices-token")]


def test_without_keystone_a_job_has_no_trust(session, caller, function):
    new_job(session, caller, function, function_id="f1", pattern="* * * * *")
    submit = Submits()
    job_firing.fire_due_jobs(session, submit, CREATED + MINUTE)
    assert submit.trusts == [None]
