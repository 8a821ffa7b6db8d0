"""The pure job rules: fields and Qinling's 400 messages, ticks, missed ticks, status."""
import datetime

import pytest

from qinling_shared.exceptions import InvalidInput

from qinling_trigger import schedule

T = datetime.datetime
NOW = T(2026, 3, 10, 12, 0, 0)   # a Tuesday
FID = "6b1a2c3d-0000-4000-8000-000000000001"


def make(**values):
    return schedule.new_job({"function_id": FID, **values}, NOW)


def job(pattern=None, count=None, next_time=NOW, status="running"):
    return {"status": status, "pattern": pattern, "count": count,
            "next_execution_time": next_time}


def raises(message, call, *args):
    with pytest.raises(InvalidInput) as err:
        call(*args)
    assert str(err.value) == message


# -- POST /v1/jobs ------------------------------------------------------------------------

@pytest.mark.parametrize("values,message", [
    ({"pattern": "* * * * *"}, "Either function_alias or function_id must be provided."),
    ({"function_id": "", "function_alias": "", "pattern": "* * * * *"},
     "Either function_alias or function_id must be provided."),
    ({"function_id": FID}, "pattern or first_execution_time must be specified."),
    ({"function_id": FID, "pattern": "", "first_execution_time": ""},
     "pattern or first_execution_time must be specified."),
    ({"function_id": FID, "first_execution_time": "2026-03-10T12:00:59Z"},
     "Execution time must be at least 1 minute in the future."),
    ({"function_id": FID, "first_execution_time": "2025-01-01 00:00:00"},
     "Execution time must be at least 1 minute in the future."),
    # 13:00:30+02:00 is 11:00:30 UTC: in the past once the offset is honoured
    ({"function_id": FID, "first_execution_time": "2026-03-10T13:00:30+02:00"},
     "Execution time must be at least 1 minute in the future."),
    ({"function_id": FID, "first_execution_time": "2026-03-11T00:00:00Z", "count": 2},
     "pattern must be provided if count is greater than 1."),
    ({"function_id": FID, "pattern": "61 * * * *"},
     "The specified pattern is not valid: 61 * * * *"),
    ({"function_id": FID, "pattern": "bad"}, "The specified pattern is not valid: bad"),
    ({"function_id": FID, "pattern": "* * * *"}, "The specified pattern is not valid: * * * *"),
    ({"function_id": FID, "pattern": "*/5 * * * * *"},
     "The specified pattern is not valid: */5 * * * * *"),
    ({"function_id": FID, "pattern": "* * 31 2 *"},
     "The specified pattern is not valid: * * 31 2 *"),
    ({"function_id": FID, "pattern": "H * * * *"}, "The specified pattern is not valid: H * * * *"),
    ({"function_id": FID, "pattern": "* * * * *", "count": 0},
     "Invalid count: a positive integer is required."),
    ({"function_id": FID, "pattern": "* * * * *", "count": -3},
     "Invalid count: a positive integer is required."),
    ({"function_id": FID, "pattern": "* * * * *", "count": True},
     "Invalid count: a positive integer is required."),
    ({"function_id": FID, "pattern": "* * * * *", "count": "3"},
     "Invalid count: a positive integer is required."),
    ({"function_id": FID, "pattern": "* * * * *", "function_version": -1},
     "Invalid function_version: a non-negative integer is required."),
    ({"function_id": FID, "pattern": "* * * * *", "name": "n" * 256},
     "Invalid name: at most 255 characters."),
    ({"function_id": FID, "pattern": "* * * * *", "function_input": {"a": 1}},
     "Invalid function_input: a string is required."),
    ({"function_id": FID, "first_execution_time": "not a time"},
     "Unknown string format: not a time"),
    ({"function_id": FID, "first_execution_time": "2026-13-01"},
     "month must be in 1..12: 2026-13-01"),
    ({"function_id": FID, "first_execution_time": "9" * 30},
     "Invalid first_execution_time: the time is out of range."),
    ({"function_id": FID, "first_execution_time": 1700000000},
     "Invalid first_execution_time: a time string is required."),
])
def test_create_refusals(values, message):
    raises(message, schedule.new_job, values, NOW)


def test_checks_come_in_qinlings_order():
    # a past time is reported before a bad pattern, a missing target before everything
    raises("Execution time must be at least 1 minute in the future.", schedule.new_job,
           {"function_id": FID, "pattern": "bad", "first_execution_time": "2020-01-01"}, NOW)
    raises("Either function_alias or function_id must be provided.", schedule.new_job,
           {"pattern": "bad"}, NOW)


@pytest.mark.parametrize("values,first,next_time,count", [
    # one-shot: runs once by default, the time kept to the microsecond (tempest sends them)
    ({"first_execution_time": "2026-03-10 13:30:15.250000"},
     T(2026, 3, 10, 13, 30, 15, 250000), T(2026, 3, 10, 13, 30, 15, 250000), 1),
    ({"first_execution_time": "2026-03-10T12:01:00Z", "count": 1},
     T(2026, 3, 10, 12, 1), T(2026, 3, 10, 12, 1), 1),
    # an offset is converted to UTC
    ({"first_execution_time": "2026-03-10T15:00:00+02:00"},
     T(2026, 3, 10, 13, 0), T(2026, 3, 10, 13, 0), 1),
    # a time of day alone is on now's date
    ({"first_execution_time": "18:45"}, T(2026, 3, 10, 18, 45), T(2026, 3, 10, 18, 45), 1),
    # cron without a first time: the next tick after now, forever
    ({"pattern": "*/15 * * * *"}, T(2026, 3, 10, 12, 15), T(2026, 3, 10, 12, 15), None),
    ({"pattern": "0 9 * * 1", "count": 4}, T(2026, 3, 16, 9, 0), T(2026, 3, 16, 9, 0), 4),
    ({"pattern": "@daily"}, T(2026, 3, 11), T(2026, 3, 11), None),
    # cron with a first time: the first tick at or after it, never before
    ({"pattern": "0 * * * *", "first_execution_time": "2026-03-10T14:00:00Z"},
     T(2026, 3, 10, 14), T(2026, 3, 10, 14), None),
    ({"pattern": "* * * * *", "first_execution_time": "2026-03-10T14:00:30Z"},
     T(2026, 3, 10, 14, 1), T(2026, 3, 10, 14, 1), None),
    ({"pattern": "30 2 1 * *", "first_execution_time": "2026-03-10T14:00:00Z", "count": 2},
     T(2026, 4, 1, 2, 30), T(2026, 4, 1, 2, 30), 2),
])
def test_create_schedules(values, first, next_time, count):
    row = make(**values)
    assert (row["first_execution_time"], row["next_execution_time"], row["count"]) == \
        (first, next_time, count)
    assert row["status"] == "running"


def test_create_row_keeps_long_patterns_and_inputs():
    pattern = "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 */2 1-28 1-12 mon,tue,wed"
    text = '{"payload": "' + "x" * 5000 + '"}'
    row = make(pattern=pattern, function_input=text, name="nightly")
    assert len(pattern) > 32 and row["pattern"] == pattern
    assert row["function_input"] == text
    assert row == {**row, "name": "nightly", "function_id": FID, "function_alias": None,
                   "function_version": 0}


def test_create_by_alias_and_version():
    row = schedule.new_job({"function_alias": "prod", "function_version": "2",
                            "pattern": "* * * * *"}, NOW)
    assert (row["function_id"], row["function_alias"], row["function_version"]) == \
        (None, "prod", 2)


def test_an_aware_first_time_is_stored_as_naive_utc():
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    row = schedule.new_job({"function_id": FID,
                            "first_execution_time": T(2026, 3, 10, 16, tzinfo=plus_two)}, NOW)
    assert row["next_execution_time"] == T(2026, 3, 10, 14)
    assert row["next_execution_time"].tzinfo is None


# -- PUT /v1/jobs/{id} --------------------------------------------------------------------

CRON = job("*/10 * * * *", next_time=T(2026, 3, 10, 12, 10))
ONE_SHOT = job(None, count=1, next_time=T(2026, 3, 10, 18))


@pytest.mark.parametrize("current,values,message", [
    ({**CRON, "status": "done"}, {"name": "x"}, "Can not update a finished job."),
    ({**CRON, "status": "cancelled"}, {"status": "running"}, "Can not update a finished job."),
    (ONE_SHOT, {"pattern": "* * * * *"}, "Can not change job type."),
    (CRON, {"pattern": ""}, "Can not change job type."),
    (CRON, {"pattern": "every minute"}, "The specified pattern is not valid: every minute"),
    (CRON, {"status": "done"}, "Invalid status."),
    (CRON, {"status": "stopped"}, "Invalid status."),
    (CRON, {"next_execution_time": "2026-03-10T12:00:30Z"},
     "Execution time must be at least 1 minute in the future."),
    # resuming a one-shot job whose time came while it was paused
    ({**ONE_SHOT, "status": "paused", "next_execution_time": T(2026, 3, 10, 12, 0, 30)},
     {"status": "running"}, "Execution time must be at least 1 minute in the future."),
    # the type is checked before the status, as Qinling does
    (ONE_SHOT, {"pattern": "* * * * *", "status": "done"}, "Can not change job type."),
])
def test_update_refusals(current, values, message):
    raises(message, schedule.job_changes, current, values, NOW)


@pytest.mark.parametrize("current,values,changes", [
    # nulls and fields outside UPDATE_ALLOWED are ignored (the CLI sends nulls)
    (CRON, {"name": None, "count": 9, "function_id": "other", "status": None}, {}),
    (CRON, {"name": "n", "function_input": "x" * 300},
     {"name": "n", "function_input": "x" * 300}),
    # pause keeps the tick; a new pattern on a running job moves the tick to it
    (CRON, {"status": "paused"}, {"status": "paused"}),
    (CRON, {"pattern": "0 18 * * *"},
     {"pattern": "0 18 * * *", "next_execution_time": T(2026, 3, 10, 18)}),
    (CRON, {"pattern": "*/10 * * * *"}, {}),
    ({**CRON, "status": "paused"}, {"pattern": "0 18 * * *"}, {"pattern": "0 18 * * *"}),
    # resume: cron recomputes from now, one-shot keeps its (still future) time
    ({**CRON, "status": "paused", "next_execution_time": T(2026, 3, 9, 8, 10)},
     {"status": "running"}, {"status": "running", "next_execution_time": T(2026, 3, 10, 12, 10)}),
    ({**ONE_SHOT, "status": "paused"}, {"status": "running"}, {"status": "running"}),
    ({**CRON, "status": "paused"}, {"status": "running", "pattern": "0 0 * * *"},
     {"status": "running", "pattern": "0 0 * * *", "next_execution_time": T(2026, 3, 11)}),
    # an explicit next time wins over the resume rule
    ({**CRON, "status": "paused"},
     {"status": "running", "next_execution_time": "2026-03-12T07:07:00Z"},
     {"status": "running", "next_execution_time": T(2026, 3, 12, 7, 7)}),
    ({**ONE_SHOT, "status": "paused", "next_execution_time": T(2026, 3, 10, 12)},
     {"status": "running", "next_execution_time": "2026-03-10T12:05:00"},
     {"status": "running", "next_execution_time": T(2026, 3, 10, 12, 5)}),
    (CRON, {"status": "cancelled"}, {"status": "cancelled"}),
    ({**CRON, "status": "paused"}, {"status": "cancelled"}, {"status": "cancelled"}),
    ({**CRON, "status": "paused"}, {"status": "paused"}, {}),
    (ONE_SHOT, {"pattern": ""}, {}),
])
def test_update_changes(current, values, changes):
    assert schedule.job_changes(current, values, NOW) == changes


FINISHED = "Can not update a finished job."


@pytest.mark.parametrize("current,new,message", [
    ("running", "paused", None), ("running", "cancelled", None), ("running", "running", None),
    ("paused", "running", None), ("paused", "cancelled", None), ("paused", "paused", None),
    ("running", "done", "Invalid status."), ("paused", "done", "Invalid status."),
    ("paused", "Running", "Invalid status."),
    ("done", "running", FINISHED), ("cancelled", "running", FINISHED),
    ("cancelled", "paused", FINISHED), ("done", "done", FINISHED),
])
def test_status_transitions(current, new, message):
    if message is None:
        assert schedule.check_transition(current, new) is None
    else:
        raises(message, schedule.check_transition, current, new)


def test_status_names_are_qinlings():
    assert [s.value for s in schedule.JobStatus] == ["running", "paused", "done", "cancelled"]


# -- ticks --------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern,after,expected", [
    ("*/15 * * * *", T(2026, 3, 10, 12, 0), T(2026, 3, 10, 12, 15)),      # strictly after
    ("*/15 * * * *", T(2026, 3, 10, 12, 0, 1), T(2026, 3, 10, 12, 15)),
    ("0 0 1 * *", T(2026, 1, 31, 23, 59), T(2026, 2, 1)),
    ("0 0 29 2 *", T(2026, 3, 1), T(2028, 2, 29)),                         # leap day
    ("30 1 * * *", T(2026, 3, 8, 1, 0), T(2026, 3, 8, 1, 30)),  # US DST day: UTC has none
    ("30 2 * * *", T(2026, 3, 29, 0, 0), T(2026, 3, 29, 2, 30)),  # EU DST gap hour exists in UTC
    ("0 0 * * 0", T(2026, 3, 10), T(2026, 3, 15)),                          # next Sunday
])
def test_next_tick_in_utc(pattern, after, expected):
    assert schedule.next_tick(pattern, after) == expected


@pytest.mark.parametrize("not_before,expected", [
    (T(2026, 3, 10, 12, 10), T(2026, 3, 10, 12, 10)),
    (T(2026, 3, 10, 12, 10, 0, 1), T(2026, 3, 10, 12, 20)),
    (T(2026, 3, 10, 12, 11), T(2026, 3, 10, 12, 20)),
])
def test_first_tick_is_at_or_after(not_before, expected):
    assert schedule.first_tick("*/10 * * * *", not_before) == expected


@pytest.mark.parametrize("not_after,expected", [
    (T(2026, 3, 10, 12, 10), T(2026, 3, 10, 12, 10)),
    (T(2026, 3, 10, 12, 19, 59), T(2026, 3, 10, 12, 10)),
    (T(2026, 3, 10, 12, 9, 59, 999999), T(2026, 3, 10, 12, 0)),
])
def test_latest_tick_is_at_or_before(not_after, expected):
    assert schedule.latest_tick("*/10 * * * *", not_after) == expected


# -- firing and missed ticks --------------------------------------------------------------

PLANS = [
    # (id, job, now, grace s, catch_up) -> (fire, next, count, status, skipped range)
    ("cron on time", job("*/10 * * * *", None, T(2026, 3, 10, 12, 10)), T(2026, 3, 10, 12, 10, 2),
     60, 0, [T(2026, 3, 10, 12, 10)], T(2026, 3, 10, 12, 20), None, "running", None),
    ("count decrements", job("*/10 * * * *", 3, T(2026, 3, 10, 12, 10)), T(2026, 3, 10, 12, 10),
     60, 0, [T(2026, 3, 10, 12, 10)], T(2026, 3, 10, 12, 20), 2, "running", None),
    ("count reaches 0: done", job("*/10 * * * *", 1, T(2026, 3, 10, 12, 10)),
     T(2026, 3, 10, 12, 10, 30), 60, 0, [T(2026, 3, 10, 12, 10)], T(2026, 3, 10, 12, 10), 0,
     "done", None),
    ("one-shot fires, done", job(None, 1, T(2026, 3, 10, 12, 0, 0, 5)), T(2026, 3, 10, 12, 0, 40),
     60, 0, [T(2026, 3, 10, 12, 0, 0, 5)], T(2026, 3, 10, 12, 0, 0, 5), 0, "done", None),
    ("one-shot missed: skipped, done, count kept", job(None, 1, T(2026, 3, 10, 11)), NOW,
     60, 0, [], T(2026, 3, 10, 11), 1, "done", (T(2026, 3, 10, 11), T(2026, 3, 10, 11))),
    ("one-shot missed, caught up", job(None, 1, T(2026, 3, 10, 11)), NOW,
     60, 1, [T(2026, 3, 10, 11)], T(2026, 3, 10, 11), 0, "done", None),
    ("exactly grace late is missed", job("*/10 * * * *", None, T(2026, 3, 10, 12, 10)),
     T(2026, 3, 10, 12, 11), 60, 0, [], T(2026, 3, 10, 12, 20), None, "running",
     (T(2026, 3, 10, 12, 10), T(2026, 3, 10, 12, 10))),
    ("downtime: latest due, older skipped", job("*/10 * * * *", None, T(2026, 3, 10, 10)), NOW,
     60, 0, [NOW], T(2026, 3, 10, 12, 10), None, "running",
     (T(2026, 3, 10, 10), T(2026, 3, 10, 11, 50))),
    ("downtime: all late, none fires", job("*/10 * * * *", 5, T(2026, 3, 10, 10)),
     T(2026, 3, 10, 12, 5), 60, 0, [], T(2026, 3, 10, 12, 10), 5, "running",
     (T(2026, 3, 10, 10), T(2026, 3, 10, 12))),
    ("catch-up 2: the latest missed, oldest first", job("*/10 * * * *", None, T(2026, 3, 10, 10)),
     NOW, 60, 2, [T(2026, 3, 10, 11, 40), T(2026, 3, 10, 11, 50), NOW], T(2026, 3, 10, 12, 10),
     None, "running", (T(2026, 3, 10, 10), T(2026, 3, 10, 11, 30))),
    ("catch-up larger than the backlog", job("*/10 * * * *", None, T(2026, 3, 10, 11, 40)),
     NOW, 60, 10, [T(2026, 3, 10, 11, 40), T(2026, 3, 10, 11, 50), NOW],
     T(2026, 3, 10, 12, 10), None, "running", None),
    ("catch-up limited by count", job("*/10 * * * *", 2, T(2026, 3, 10, 11)), NOW, 60, 5,
     [T(2026, 3, 10, 11, 50), NOW], NOW, 0, "done", (T(2026, 3, 10, 11), T(2026, 3, 10, 11, 40))),
    ("catch-up of late ticks only", job("0 * * * *", None, T(2026, 3, 10, 9)),
     T(2026, 3, 10, 12, 30), 60, 2, [T(2026, 3, 10, 11), T(2026, 3, 10, 12)],
     T(2026, 3, 10, 13), None, "running", (T(2026, 3, 10, 9), T(2026, 3, 10, 10))),
    ("wide grace still fires one", job("* * * * *", None, T(2026, 3, 10, 11, 57)), NOW, 600, 0,
     [NOW], T(2026, 3, 10, 12, 1), None, "running",
     (T(2026, 3, 10, 11, 57), T(2026, 3, 10, 11, 59))),
    ("off-pattern next time (set by PUT)", job("0 * * * *", None, T(2026, 3, 10, 11, 59, 30)),
     NOW, 60, 0, [NOW], T(2026, 3, 10, 13), None, "running",
     (T(2026, 3, 10, 11, 59, 30), T(2026, 3, 10, 11, 59, 30))),
]


@pytest.mark.parametrize("case", PLANS, ids=[p[0] for p in PLANS])
def test_plan_ticks(case):
    _, current, now, grace, catch_up, fire, next_time, count, status, skipped = case
    plan = schedule.plan_ticks(current, now, datetime.timedelta(seconds=grace), catch_up)
    assert list(plan.fire) == fire
    assert (plan.next_execution_time, plan.count, plan.status) == (next_time, count, status)
    assert (plan.skipped_first, plan.skipped_last) == (skipped or (None, None))


@pytest.mark.parametrize("current,now", [
    (job("* * * * *", None, T(2026, 3, 10, 12, 1)), NOW),                  # not yet
    (job("* * * * *", None, NOW, status="paused"), NOW),
    (job("* * * * *", None, NOW, status="cancelled"), NOW),
    (job(None, 0, NOW, status="done"), NOW),
])
def test_nothing_to_plan(current, now):
    assert schedule.plan_ticks(current, now) is None


def test_recurring_job_with_count_3_runs_3_times_then_done():
    current, now, fired = job("*/5 * * * *", 3, T(2026, 3, 10, 12, 5)), NOW, []
    for _ in range(20):
        plan = schedule.plan_ticks(current, now)
        if plan:
            fired += plan.fire
            current = {**current, "next_execution_time": plan.next_execution_time,
                       "count": plan.count, "status": plan.status}
        now += datetime.timedelta(seconds=50)
    assert fired == [T(2026, 3, 10, 12, 5), T(2026, 3, 10, 12, 10), T(2026, 3, 10, 12, 15)]
    assert (current["status"], current["count"]) == ("done", 0)


def test_a_long_downtime_is_planned_without_walking_every_tick():
    # a year of minute ticks: only catch_up + 2 are looked at
    current = job("* * * * *", None, T(2025, 3, 10, 12))
    plan = schedule.plan_ticks(current, NOW, catch_up=1)
    assert plan.fire == (T(2026, 3, 10, 11, 59), NOW)
    assert (plan.skipped_first, plan.skipped_last) == (T(2025, 3, 10, 12), T(2026, 3, 10, 11, 58))


@pytest.mark.parametrize("kwargs", [{"catch_up": -1}, {"catch_up": True}, {"catch_up": 1.5},
                                    {"grace": datetime.timedelta(0)}])
def test_plan_arguments_are_checked(kwargs):
    with pytest.raises(ValueError):
        schedule.plan_ticks(job("* * * * *"), NOW, **kwargs)


# -- what a fired tick submits ------------------------------------------------------------

def test_idempotency_key_is_stable_per_job_and_tick():
    tick = T(2026, 3, 10, 12, 10)
    key = schedule.idempotency_key(FID, tick)
    assert key == f"qinling-job:{FID}:2026-03-10T12:10:00.000000Z"
    assert schedule.idempotency_key(FID, tick.replace(tzinfo=datetime.timezone.utc)) == key
    assert schedule.idempotency_key(FID, tick + datetime.timedelta(microseconds=1)) != key
    assert schedule.idempotency_key(FID[:-1] + "2", tick) != key


def test_idempotency_key_keeps_the_execution_services_rule():
    from qinling_execution.requests_rules import idempotency_key as accepted
    key = schedule.idempotency_key(FID, T(9999, 12, 31, 23, 59, 59, 999999))
    assert accepted(key) == key


@pytest.mark.parametrize("job_id", ["", None, "é", "a\nb", "x" * 250])
def test_idempotency_key_refuses_ids_that_cannot_make_one(job_id):
    with pytest.raises(ValueError):
        schedule.idempotency_key(job_id, NOW)


def test_execution_description_is_qinlings():
    assert schedule.execution_description(FID) == f"Created by Job {FID}"
