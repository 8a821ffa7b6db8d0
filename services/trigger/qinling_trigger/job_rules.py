"""Pure rules of a job's fields (``POST``/``PUT /v1/jobs``). No I/O, no clock: ``now`` is
always an argument (naive UTC, as stored; ``qinling_shared.clock.utcnow`` at the edges).

Fields keep Qinling's rules and exact 400 messages (``qinling/utils/jobs.py``,
``qinling/api/controllers/v1/job.py``), with these fixes:

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
"""
import datetime

from croniter import croniter, CroniterError
from dateutil import parser as dateutil_parser

from qinling_shared.exceptions import InvalidInput
from qinling_shared.fields import text
from qinling_shared.versions import number as version_number

from qinling_trigger.job_status import FINISHED, FINISHED_JOB, PAUSED, RUNNING, check_transition
from qinling_trigger.job_ticks import first_tick, next_tick, utc_naive

UPDATE_ALLOWED = ("name", "function_input", "status", "pattern", "next_execution_time")

MIN_LEAD = datetime.timedelta(seconds=60)      # a time set by a user is at least this far ahead
NAME_LENGTH = 255

NO_TARGET = "Either function_alias or function_id must be provided."
NO_SCHEDULE = "pattern or first_execution_time must be specified."
TOO_SOON = "Execution time must be at least 1 minute in the future."
ONE_SHOT_COUNT = "pattern must be provided if count is greater than 1."
BAD_PATTERN = "The specified pattern is not valid: {}"
TYPE_CHANGE = "Can not change job type."
BAD_COUNT = "Invalid count: a positive integer is required."
BAD_VERSION = "Invalid function_version: a non-negative integer is required."


# -- times --------------------------------------------------------------------------------

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
        "name": text(values, "name", NAME_LENGTH),
        "function_id": function_id or None, "function_alias": alias or None,
        "function_version": _version(values.get("function_version")),
        "function_input": text(values, "function_input", None),
        "pattern": pattern, "count": count,
        "first_execution_time": first, "next_execution_time": next_time,
        "status": RUNNING,
    }


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
            changes[name] = text(values, name, limit)

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
