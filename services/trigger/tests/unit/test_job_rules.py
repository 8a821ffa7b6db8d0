"""The pure rules of a job's fields: Qinling's 400 messages, first and next ticks of a
create, the columns of an update."""
import datetime

import pytest

from qinling_shared.exceptions import InvalidInput

from qinling_trigger import job_rules

T = datetime.datetime
NOW = T(2026, 3, 10, 12, 0, 0)   # a Tuesday
FID = "6b1a2c3d-0000-4000-8000-000000000001"


def make(**values):
    return job_rules.new_job({"function_id": FID, **values}, NOW)


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
    raises(message, job_rules.new_job, values, NOW)


def test_checks_come_in_qinlings_order():
    # a past time is reported before a bad pattern, a missing target before everything
    raises("Execution time must be at least 1 minute in the future.", job_rules.new_job,
           {"function_id": FID, "pattern": "bad", "first_execution_time": "2020-01-01"}, NOW)
    raises("Either function_alias or function_id must be provided.", job_rules.new_job,
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
    row = job_rules.new_job({"function_alias": "prod", "function_version": "2",
                            "pattern": "* * * * *"}, NOW)
    assert (row["function_id"], row["function_alias"], row["function_version"]) == \
        (None, "prod", 2)


def test_an_aware_first_time_is_stored_as_naive_utc():
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    row = job_rules.new_job({"function_id": FID,
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
    raises(message, job_rules.job_changes, current, values, NOW)


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
    assert job_rules.job_changes(current, values, NOW) == changes
