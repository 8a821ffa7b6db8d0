"""Handlers of jobs. Ports: ``db`` (the session), ``caller``, ``function`` (RPC proxy of the
function service), ``now`` (naive UTC, read at the edge) and ``keystone``
(``qinling_nameko.keystone``, or ``None``: the job's trust).

The rules are ``job_rules`` (fields, exact 400 messages) and ``job_status`` (status moves);
the target must exist in the caller's own project as a webhook's (``webhooks.check_target``).
An alias is stored by name and resolved by the execution service each time the job fires.
"""
import uuid

import sqlalchemy as sa

from qinling_nameko import queries
from qinling_nameko.database import get_scoped
from qinling_nameko.keystone import drop_trust, dropped_on_failure, make_trust

from qinling_trigger import usage, job_rules, job_status
from qinling_trigger.models import Job
from qinling_trigger.webhooks import check_target

JOB_FILTERS = frozenset(("name", "function_id", "function_version", "function_alias",
                         "status", "pattern"))
JOB_SORTABLE = ("created_at", "updated_at", "next_execution_time")


def create_job(values, *, db, caller, function, now, keystone=None):
    """With Keystone, the job keeps a trust of its creator: its ticks run after the
    creator's token expired (``qinling_nameko.keystone``)."""
    caller.authorize("job:create")
    clean = job_rules.new_job(values, now)
    check_target(function, caller, clean)
    job = Job(id=str(uuid.uuid4()), project_id=caller.project_id,
              trust_id=make_trust(keystone, caller), **clean)
    with dropped_on_failure(keystone, job.trust_id, caller):
        db.add(job)
        db.commit()
    return job.to_dict()


def list_jobs(query, *, db, caller):
    caller.authorize("job:get_all")
    rows = queries.scoped_rows(db, Job, query or {}, JOB_SORTABLE, caller.project_id,
                               caller.may_list_all("job"), filters=JOB_FILTERS)
    return [row.to_dict() for row in rows]


def get_job(job_id, *, db, caller):
    caller.authorize("job:get")
    return visible(db, caller, job_id).to_dict()


def update_job(job_id, values, *, db, caller, now):
    """Qinling's ``PUT``: name, input, pattern, next time and status (pause, resume,
    cancel). Written with a compare-and-set on the status and next time read, so an update
    never overwrites a tick the scheduler claimed meanwhile (it is then refused as a
    conflict of the job's state: read again and retry)."""
    caller.authorize("job:update")
    job = visible(db, caller, job_id)
    changes = job_rules.job_changes(job.schedule_fields(), values, now)
    if not changes:
        return job.to_dict()
    result = db.execute(
        sa.update(Job)
        .where(Job.id == job.id, Job.status == job.status,
               Job.next_execution_time == job.next_execution_time)
        .values(**changes, updated_at=now))
    db.commit()
    db.expire(job)
    if result.rowcount != 1:
        # the scheduler fired the job between the read and the write: apply on the new state
        return update_job(job_id, values, db=db, caller=caller, now=now)
    return visible(db, caller, job_id).to_dict()


def delete_job(job_id, *, db, caller, keystone=None):
    caller.authorize("job:delete")
    job = visible(db, caller, job_id)
    db.delete(job)
    db.commit()
    drop_trust(keystone, job.trust_id, caller)


def function_usage(function_id, version, *, db):
    """How many unfinished jobs (running or paused) run ``function_id`` (at ``version``
    unless it is ``None``); those naming an alias do not count, as webhooks."""
    return usage.count(db, Job, function_id, version, Job.function_alias.is_(None),
                       Job.status.not_in(job_status.FINISHED))


def visible(db, caller, job_id):
    return get_scoped(db, Job, job_id, caller.project_id, caller.is_admin, not_found(job_id))


def not_found(job_id):
    return f"Job not found [id={job_id}]"
