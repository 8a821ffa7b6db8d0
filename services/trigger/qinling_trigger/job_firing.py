"""The scheduler (handler of a timer): fires the due ticks of running jobs. Ports: ``db``
(the session on the shared database), ``submit`` (a callable ``(project_id, values, key,
trust_id=)`` that submits an async execution as that project, through the job's trust) and
``now``.

Any number of trigger services may run on one database, and each tick runs exactly once:

- a submit is idempotent by ``job_ticks.idempotency_key(job id, tick)``: the execution
  service returns the first execution of a key again, so submitting a tick twice runs it once;
- a replica submits a due job's ticks (``job_ticks.plan_ticks``) *first*, then moves the
  job on with a compare-and-set ``UPDATE`` of its ``next_execution_time`` and status (the
  *claim*). A replica that dies, or cannot submit, before its claim leaves the tick due: the
  next poll, here or in another replica, submits it again (to the same execution) and claims
  it. A replica that loses the claim (rowcount 0) had submitted a tick another replica
  submitted too: one execution.
"""
import logging

import sqlalchemy as sa

from qinling_trigger import job_status, job_ticks
from qinling_trigger.models import Job

LOG = logging.getLogger(__name__)
POLL_INTERVAL = 1           # seconds between two looks for due jobs
SUBMIT_ATTEMPTS = 3
DUE_BATCH = 100             # due jobs read per poll


def due_jobs(db, now, limit=DUE_BATCH):
    """Running jobs whose next tick is at or before ``now``, the most overdue first."""
    return list(db.scalars(
        sa.select(Job).where(Job.status == job_status.RUNNING,
                             Job.next_execution_time <= now)
        .order_by(Job.next_execution_time).limit(limit)))


def claim(db, job_id, old_next, plan, now):
    """Compare-and-set: move the job to ``plan``'s state if it is still running at tick
    ``old_next``. True when this caller changed the row (it owns the plan's ticks)."""
    result = db.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.next_execution_time == old_next,
               Job.status == job_status.RUNNING)
        .values(next_execution_time=plan.next_execution_time, count=plan.count,
                status=plan.status, updated_at=now)
        .execution_options(synchronize_session=False))
    db.commit()
    return result.rowcount == 1


def execution_values(job):
    return {**job.target(), "sync": False, "input": job.function_input,
            "description": job_ticks.execution_description(job.id)}


def fire_job(db, job, submit, now, grace=job_ticks.DEFAULT_GRACE, catch_up=0):
    """Plan, submit and claim one job's ticks; the ticks this caller claimed (``()`` when a
    submit failed, so the job stays due, or another replica claimed them)."""
    fields = job.schedule_fields()
    plan = job_ticks.plan_ticks(fields, now, grace, catch_up)
    if plan is None:
        return ()
    values = execution_values(job)
    if not all(submit_tick(submit, job, values, tick) for tick in plan.fire):
        return ()  # not claimed: the next poll submits again, with the same keys
    if not claim(db, job.id, fields["next_execution_time"], plan, now):
        return ()
    if plan.skipped_last is not None:
        LOG.info("job %s skipped its missed ticks %s .. %s", job.id, plan.skipped_first,
                 plan.skipped_last)
    return plan.fire


def submit_tick(submit, job, values, tick):
    key = job_ticks.idempotency_key(job.id, tick)
    for attempt in range(1, SUBMIT_ATTEMPTS + 1):
        try:
            submit(job.project_id, values, key, trust_id=job.trust_id)
            return True
        except Exception:  # noqa: BLE001 - a failed submit must not stop the other jobs
            LOG.exception("job %s tick %s: submit attempt %d failed", job.id, tick, attempt)
    return False


def fire_due_jobs(db, submit, now, grace=job_ticks.DEFAULT_GRACE, catch_up=0):
    """One poll: fire every due running job; ``{job id: ticks fired}`` of those this
    caller claimed."""
    fired = {}
    for job in due_jobs(db, now):
        ticks = fire_job(db, job, submit, now, grace, catch_up)
        if ticks:
            fired[job.id] = ticks
    return fired


def next_due_in(db, now, horizon=POLL_INTERVAL):
    """Seconds from ``now`` to the next tick of a running job when it falls within
    ``horizon`` seconds (the timer then waits for it instead of firing it at its next
    poll, up to a poll interval late); ``None`` otherwise."""
    upcoming = db.scalar(sa.select(sa.func.min(Job.next_execution_time))
                         .where(Job.status == job_status.RUNNING,
                                Job.next_execution_time > now))
    db.commit()   # end the read: the wait must not hold a transaction open
    if upcoming is None:
        return None
    seconds = (upcoming - now).total_seconds()
    return seconds if seconds <= horizon else None
