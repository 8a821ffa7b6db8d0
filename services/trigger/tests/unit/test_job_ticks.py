"""The pure rules of a job's ticks: cron tick math, missed ticks, what a fired tick submits."""
import datetime

import pytest

from qinling_trigger import job_ticks

T = datetime.datetime
NOW = T(2026, 3, 10, 12, 0, 0)   # a Tuesday
FID = "6b1a2c3d-0000-4000-8000-000000000001"


def job(pattern=None, count=None, next_time=NOW, status="running"):
    return {"status": status, "pattern": pattern, "count": count,
            "next_execution_time": next_time}


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
    assert job_ticks.next_tick(pattern, after) == expected


@pytest.mark.parametrize("not_before,expected", [
    (T(2026, 3, 10, 12, 10), T(2026, 3, 10, 12, 10)),
    (T(2026, 3, 10, 12, 10, 0, 1), T(2026, 3, 10, 12, 20)),
    (T(2026, 3, 10, 12, 11), T(2026, 3, 10, 12, 20)),
])
def test_first_tick_is_at_or_after(not_before, expected):
    assert job_ticks.first_tick("*/10 * * * *", not_before) == expected


@pytest.mark.parametrize("not_after,expected", [
    (T(2026, 3, 10, 12, 10), T(2026, 3, 10, 12, 10)),
    (T(2026, 3, 10, 12, 19, 59), T(2026, 3, 10, 12, 10)),
    (T(2026, 3, 10, 12, 9, 59, 999999), T(2026, 3, 10, 12, 0)),
])
def test_latest_tick_is_at_or_before(not_after, expected):
    assert job_ticks.latest_tick("*/10 * * * *", not_after) == expected


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
    plan = job_ticks.plan_ticks(current, now, datetime.timedelta(seconds=grace), catch_up)
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
    assert job_ticks.plan_ticks(current, now) is None


def test_recurring_job_with_count_3_runs_3_times_then_done():
    current, now, fired = job("*/5 * * * *", 3, T(2026, 3, 10, 12, 5)), NOW, []
    for _ in range(20):
        plan = job_ticks.plan_ticks(current, now)
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
    plan = job_ticks.plan_ticks(current, NOW, catch_up=1)
    assert plan.fire == (T(2026, 3, 10, 11, 59), NOW)
    assert (plan.skipped_first, plan.skipped_last) == (T(2025, 3, 10, 12), T(2026, 3, 10, 11, 58))


@pytest.mark.parametrize("kwargs", [{"catch_up": -1}, {"catch_up": True}, {"catch_up": 1.5},
                                    {"grace": datetime.timedelta(0)}])
def test_plan_arguments_are_checked(kwargs):
    with pytest.raises(ValueError):
        job_ticks.plan_ticks(job("* * * * *"), NOW, **kwargs)


# -- what a fired tick submits ------------------------------------------------------------

def test_idempotency_key_is_stable_per_job_and_tick():
    tick = T(2026, 3, 10, 12, 10)
    key = job_ticks.idempotency_key(FID, tick)
    assert key == f"qinling-job:{FID}:2026-03-10T12:10:00.000000Z"
    assert job_ticks.idempotency_key(FID, tick.replace(tzinfo=datetime.timezone.utc)) == key
    assert job_ticks.idempotency_key(FID, tick + datetime.timedelta(microseconds=1)) != key
    assert job_ticks.idempotency_key(FID[:-1] + "2", tick) != key


def test_idempotency_key_keeps_the_execution_services_rule():
    from qinling_execution.requests_rules import idempotency_key as accepted
    key = job_ticks.idempotency_key(FID, T(9999, 12, 31, 23, 59, 59, 999999))
    assert accepted(key) == key


@pytest.mark.parametrize("job_id", ["", None, "é", "a\nb", "x" * 250])
def test_idempotency_key_refuses_ids_that_cannot_make_one(job_id):
    with pytest.raises(ValueError):
        job_ticks.idempotency_key(job_id, NOW)


def test_execution_description_is_qinlings():
    assert job_ticks.execution_description(FID) == f"Created by Job {FID}"
