"""Pure rules of jobs: their fields, their ticks, their status. No I/O, no clock: ``now`` is
always an argument (naive UTC, as stored; ``qinling_shared.clock.utcnow`` at the edges).

Fields (``POST``/``PUT /v1/jobs``) keep Qinling's rules and exact 400 messages
(``qinling/utils/jobs.py``, ``qinling/api/controllers/v1/job.py``), with these fixes:

* ``pattern`` and ``function_input`` have no length cut (Qinling's columns: 32 and 255).
* A time with a UTC offset is converted to UTC (Qinling dropped the offset); a time without one
  is UTC. Missing date parts come from ``now``'s date (dateutil read the server's clock).
* A pattern has the 5 cron fields (or an ``@daily``-style shortcut); one that never matches
  (``* * 31 2 *``) is invalid too.
* A cron job's first tick is the earliest one at or after ``first_execution_time`` (Qinling
  started from ``first_execution_time - 1 min``, which could give a tick up to 59 s before it).
* ``count`` must be a positive integer (Qinling turned 0 into "run once").
* Changing a running job's ``pattern`` moves its next tick to the new pattern's next one
  (Qinling kept the old pattern's next tick).

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
import enum

from croniter import croniter, CroniterError
from dateutil import parser as dateutil_parser

from qinling_shared.exceptions import InvalidInput
from qinling_shared.versions import number as version_number


class JobStatus(str, enum.Enum):
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


RUNNING, PAUSED, DONE, CANCELLED = (JobStatus.RUNNING.value, JobStatus.PAUSED.value,
                                    JobStatus.DONE.value, JobStatus.CANCELLED.value)
FINISHED = (DONE, CANCELLED)
# what a user may set with PUT; ``done`` is the scheduler's
USER_STATUSES = (RUNNING, PAUSED, CANCELLED)
# status -> the statuses it may move to (the scheduler moves running -> done)
TRANSITIONS = {
    RUNNING: (RUNNING, PAUSED, CANCELLED, DONE),
    PAUSED: (PAUSED, RUNNING, CANCELLED),
    DONE: (),
    CANCELLED: (),
}
UPDATE_ALLOWED = ("name", "function_input", "status", "pattern", "next_execution_time")

MIN_LEAD = datetime.timedelta(seconds=60)      # a time set by a user is at least this far ahead
DEFAULT_GRACE = datetime.timedelta(seconds=60)  # a tick later than this is missed
NAME_LENGTH = 255
IDEMPOTENCY_KEY_LENGTH = 255                    # the execution service's limit
ONE_MINUTE = datetime.timedelta(minutes=1)

NO_TARGET = "Either function_alias or function_id must be provided."
NO_SCHEDULE = "pattern or first_execution_time must be specified."
TOO_SOON = "Execution time must be at least 1 minute in the future."
ONE_SHOT_COUNT = "pattern must be provided if count is greater than 1."
BAD_PATTERN = "The specified pattern is not valid: {}"
FINISHED_JOB = "Can not update a finished job."
TYPE_CHANGE = "Can not change job type."
BAD_STATUS = "Invalid status."
BAD_COUNT = "Invalid count: a positive integer is required."
BAD_VERSION = "Invalid function_version: a non-negative integer is required."
EXECUTION_BY_JOB = "Created by Job {}"


# -- times --------------------------------------------------------------------------------

def utc_naive(value):
    """A datetime as stored: naive UTC (an aware one is converted)."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def parse_time(raw, now, name):
    """A time from the wire (text dateutil reads, or a datetime) as naive UTC."""
    if isinstance(raw, datetime.datetime):
        return utc_naive(raw)
    if not isinstance(raw, str):
        raise InvalidInput(f"Invalid {name}: a time string is required.")
    try:
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return utc_naive(dateutil_parser.parse(raw, default=midnight))
    except ValueError as exc:      # Qinling answers dateutil's own text
        raise InvalidInput(str(exc)) from None
    except OverflowError:
        raise InvalidInput(f"Invalid {name}: the time is out of range.") from None


def future_time(raw, now, name):
    """A user's time: parsed, and at least a minute after ``now``."""
    value = parse_time(raw, now, name)
    if value < now + MIN_LEAD:
        raise InvalidInput(TOO_SOON)
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


def valid_pattern(pattern, now):
    """A 5-field cron pattern croniter reads and that has a time after ``now``."""
    message = BAD_PATTERN.format(pattern)
    if not isinstance(pattern, str):
        raise InvalidInput(message)
    try:
        fields = len(croniter(pattern, now).expanded)
    except (CroniterError, ValueError, KeyError, TypeError):
        raise InvalidInput(message) from None
    if fields != 5 or next_tick(pattern, now) is None:
        raise InvalidInput(message)
    return pattern


# -- fields -------------------------------------------------------------------------------

def _text(values, name, max_length=None):
    value = values.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"Invalid {name}: a string is required.")
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(f"Invalid {name}: at most {max_length} characters.")
    return value


def _count(raw):
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise InvalidInput(BAD_COUNT)
    return raw


def _version(raw):
    if raw is None:
        return 0
    try:
        return version_number(raw)
    except InvalidInput:
        raise InvalidInput(BAD_VERSION) from None


def new_job(values, now):
    """The row of ``POST /v1/jobs`` (status ``running``), once its fields keep the rules.

    Checks in Qinling's order: target, a schedule, the first time, a one-shot's count, the
    pattern. A one-shot job without ``count`` runs once; a cron job without it runs forever.
    """
    if not isinstance(values, dict):
        raise InvalidInput("Invalid request: an object of fields is required.")
    function_id, alias = values.get("function_id"), values.get("function_alias")
    if not function_id and not alias:
        raise InvalidInput(NO_TARGET)
    pattern = values.get("pattern") or None
    raw_first = values.get("first_execution_time") or None
    if pattern is None and raw_first is None:
        raise InvalidInput(NO_SCHEDULE)
    count = values.get("count")
    first = None
    if raw_first is not None:
        first = future_time(raw_first, now, "first_execution_time")
        if pattern is None and isinstance(count, int) and count > 1:
            raise InvalidInput(ONE_SHOT_COUNT)
    count = _count(count)
    if pattern is None:
        next_time = first
        count = 1 if count is None else count
    else:
        valid_pattern(pattern, now)
        next_time = first_tick(pattern, first) if first else next_tick(pattern, now)
        if next_time is None:
            raise InvalidInput(BAD_PATTERN.format(pattern))
        first = next_time
    return {
        "name": _text(values, "name", NAME_LENGTH),
        "function_id": function_id or None, "function_alias": alias or None,
        "function_version": _version(values.get("function_version")),
        "function_input": _text(values, "function_input"),
        "pattern": pattern, "count": count,
        "first_execution_time": first, "next_execution_time": next_time,
        "status": RUNNING,
    }


def check_transition(current, new):
    """``InvalidInput`` unless a user may move a job from status ``current`` to ``new``."""
    if current in FINISHED:
        raise InvalidInput(FINISHED_JOB)
    if new not in USER_STATUSES or new not in TRANSITIONS.get(current, ()):
        raise InvalidInput(BAD_STATUS)


def job_changes(job, values, now):
    """The columns ``PUT /v1/jobs/{id}`` changes on ``job`` (a mapping with ``status``,
    ``pattern`` and ``next_execution_time``).

    Only ``name``, ``function_input``, ``status``, ``pattern`` and ``next_execution_time`` are
    read, and only when not null. Checks in Qinling's order: a finished job, the job type, the
    status, the next time. Resuming (paused -> running) a cron job moves its next tick to the
    pattern's next time after ``now``; a one-shot job's tick must still be a minute ahead.
    """
    if not isinstance(values, dict):
        raise InvalidInput("Invalid request: an object of fields is required.")
    values = {key: values[key] for key in UPDATE_ALLOWED if values.get(key) is not None}
    if job["status"] in FINISHED:
        raise InvalidInput(FINISHED_JOB)
    changes = {}
    for name, limit in (("name", NAME_LENGTH), ("function_input", None)):
        if name in values:
            changes[name] = _text(values, name, limit)

    current = job.get("pattern") or None
    pattern = values.get("pattern")
    if pattern == "":
        if current:
            raise InvalidInput(TYPE_CHANGE)
        pattern = None          # a one-shot job stays one
    if pattern is not None:
        if not current:
            raise InvalidInput(TYPE_CHANGE)
        valid_pattern(pattern, now)
        if pattern != current:
            changes["pattern"] = pattern

    status = values.get("status")
    if status is not None:
        check_transition(job["status"], status)
        if status != job["status"]:
            changes["status"] = status
    resulting_status = changes.get("status", job["status"])
    resulting_pattern = changes.get("pattern", current)

    if "next_execution_time" in values:
        changes["next_execution_time"] = future_time(
            values["next_execution_time"], now, "next_execution_time")
    elif job["status"] == PAUSED and resulting_status == RUNNING:
        if resulting_pattern:
            changes["next_execution_time"] = next_tick(resulting_pattern, now)
        elif utc_naive(job["next_execution_time"]) < now + MIN_LEAD:
            raise InvalidInput(TOO_SOON)
    elif "pattern" in changes and resulting_status == RUNNING:
        changes["next_execution_time"] = next_tick(resulting_pattern, now)
    if "next_execution_time" in changes and changes["next_execution_time"] is None:
        raise InvalidInput(BAD_PATTERN.format(resulting_pattern))
    return changes


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
