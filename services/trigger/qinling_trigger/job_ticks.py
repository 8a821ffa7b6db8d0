"""Pure rules of a job's ticks: cron tick math, which ticks fire at ``now`` and what a fired
tick submits. No I/O, no clock: ``now`` is always an argument (naive UTC, as stored;
``qinling_shared.clock.utcnow`` at the edges).

Ticks. A job's ticks are its ``next_execution_time`` then the pattern's times after it; a
one-shot job (no pattern) has that single tick. ``count`` is the number of runs left
(``None``: forever); each fired tick takes one, and the job is ``done`` when it reaches 0, when a
one-shot job's tick has passed (fired or skipped), or when the pattern has no more times; a
finished job keeps as ``next_execution_time`` its last fired tick (else its last pending one).

Missed ticks (``plan_ticks``). At ``now``, only the latest tick at or before ``now`` may be
*due*: it is when it is less than ``grace`` late (``now - tick < grace``, default 60 s).
Every other tick at or before ``now`` (older ones, or the latest one when it is ``grace`` late or
more, after a downtime) is *missed*, and missed ticks are skipped: they never run and take no
``count``. Opt-in catch-up: with ``catch_up=N`` the latest N missed ticks run too. The ticks
fired are the due tick and those, at most ``count`` of them (the latest ones), oldest first.
Afterwards the next tick is the pattern's first time after ``now``, so a job never fires in a
burst to replay a downtime (Qinling replayed every missed tick, one per poll).

A fired tick submits an async execution with ``idempotency_key(job_id, tick)``, so a retried
tick never runs twice, and Qinling's description ``Created by Job <id>``.
"""
import dataclasses
import datetime

from croniter import croniter, CroniterError

from qinling_trigger.job_status import DONE, RUNNING

DEFAULT_GRACE = datetime.timedelta(seconds=60)  # a tick later than this is missed
IDEMPOTENCY_KEY_LENGTH = 255                    # the execution service's limit
ONE_MINUTE = datetime.timedelta(minutes=1)
EXECUTION_BY_JOB = "Created by Job {}"


def utc_naive(value):
    """A datetime as stored: naive UTC (an aware one is converted)."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


# -- cron ---------------------------------------------------------------------------------

def next_tick(pattern, after):
    """The pattern's first time strictly after ``after``; ``None`` if there is none."""
    try:
        return croniter(pattern, after).get_next(datetime.datetime)
    except (CroniterError, ValueError, OverflowError):
        return None


def first_tick(pattern, not_before):
    """The pattern's first time at or after ``not_before``; ``None`` if there is none."""
    ceiling = not_before.replace(second=0, microsecond=0)
    if ceiling < not_before:
        ceiling += ONE_MINUTE
    return next_tick(pattern, ceiling - ONE_MINUTE)


def previous_tick(pattern, before):
    """The pattern's last time strictly before ``before``; ``None`` if there is none."""
    try:
        return croniter(pattern, before).get_prev(datetime.datetime)
    except (CroniterError, ValueError, OverflowError):
        return None


def latest_tick(pattern, not_after):
    """The pattern's last time at or before ``not_after`` (times are whole minutes)."""
    return previous_tick(pattern, not_after.replace(second=0, microsecond=0) + ONE_MINUTE)


# -- firing -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class TickPlan:
    """What to do with a job at ``now``: the ticks to fire (oldest first), the columns to
    write (compare-and-set on the job's old ``next_execution_time``), and the range of the
    ticks skipped (``None``s when none was)."""

    fire: tuple
    next_execution_time: datetime.datetime
    count: int | None
    status: str
    skipped_first: datetime.datetime | None = None
    skipped_last: datetime.datetime | None = None


def plan_ticks(job, now, grace=DEFAULT_GRACE, catch_up=0):
    """The ``TickPlan`` of a job (mapping with ``status``, ``pattern``, ``count`` and
    ``next_execution_time``) at ``now``; ``None`` when it is not running or its next tick is
    still ahead. The rule is the module's: only the latest tick may be due (less than
    ``grace`` late), older ones are skipped unless ``catch_up`` > 0 runs the latest of them."""
    if isinstance(catch_up, bool) or not isinstance(catch_up, int) or catch_up < 0:
        raise ValueError("catch_up must be a non-negative integer")
    if grace <= datetime.timedelta(0):
        raise ValueError("grace must be positive")
    now = utc_naive(now)
    start = utc_naive(job["next_execution_time"])
    if job["status"] != RUNNING or start > now:
        return None
    pattern, count = job.get("pattern") or None, job.get("count")

    # ticks at or before now, newest first; one more than could fire, to name the skipped
    wanted = catch_up + 2
    recent = []
    tick = latest_tick(pattern, now) if pattern else None
    while tick is not None and tick > start and len(recent) < wanted:
        recent.append(tick)
        tick = previous_tick(pattern, tick)
    if len(recent) < wanted:
        recent.append(start)

    due = recent[0] if now - recent[0] < grace else None
    missed = recent[1:] if due else recent
    fire = ([due] if due else []) + missed[:catch_up]
    if count is not None:
        fire = fire[:max(count, 0)]
    skipped = recent[len(fire)] if len(recent) > len(fire) else None

    remaining = None if count is None else count - len(fire)
    following = next_tick(pattern, now) if pattern else None
    finished = remaining is not None and remaining <= 0 or following is None
    return TickPlan(
        fire=tuple(reversed(fire)),
        next_execution_time=(fire[0] if fire else start) if finished else following,
        count=remaining,
        status=DONE if finished else RUNNING,
        skipped_first=start if skipped else None,
        skipped_last=skipped,
    )


# -- what a fired tick submits ------------------------------------------------------------

def idempotency_key(job_id, tick):
    """The ``Idempotency-Key`` of a job's tick: the same text for the same job and tick,
    printable ASCII within the execution service's 255 characters."""
    key = f"qinling-job:{job_id}:{utc_naive(tick):%Y-%m-%dT%H:%M:%S.%fZ}"
    if not (isinstance(job_id, str) and job_id and key.isascii() and key.isprintable()
            and len(key) <= IDEMPOTENCY_KEY_LENGTH):
        raise ValueError(f"job id {job_id!r} can not make an idempotency key")
    return key


def execution_description(job_id):
    """Qinling's description of an execution a job started (``description=has:<job_id>``)."""
    return EXECUTION_BY_JOB.format(job_id)
