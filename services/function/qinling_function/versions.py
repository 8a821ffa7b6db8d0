"""Handlers of function versions (Qinling's, with the fixes in docs/compatibility.md).

Creating and deleting look the function up in the caller's own project even for admins, as
Qinling; reading lets admins see every project's. Ports: ``db``, ``caller``, the ``storage``
and ``trigger`` RPC proxies, ``dispatch``, and ``max_versions`` (``[function]``).
"""
import logging
import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from qinling_shared import events
from qinling_shared.exceptions import Conflict, Forbidden
from qinling_shared.versions import number as version_number

from qinling_function import lookups, packages, rules, version_rules
from qinling_function.models import Function, FunctionVersion

LOG = logging.getLogger(__name__)
ATTEMPTS = 5


def create_version(function_id, description, *, db, caller, storage, max_versions, dispatch):
    """Snapshot the function (a copy of its package and its configuration) as version n+1.

    Concurrent creations race on the function's version counter; the loser checks again
    (the limit, "not changed") and retries with the next number.
    """
    caller.authorize("function_version:create")
    description = rules.text({"description": description}, "description")
    for _ in range(ATTEMPTS):
        function = lookups.own_function(db, caller, function_id)
        check_new_version(db, function, max_versions)
        copy = storage.copy_package(function.package_key, function.project_id)
        version = claim_number(db, function, description, copy)
        if version is not None:
            dispatch(events.VERSION_CREATED, {"function_id": function_id,
                                              "version": version.version_number})
            return version.to_dict()
        packages.discard(storage, copy["key"])
    raise Conflict(f"Function {function_id} is being versioned concurrently; try again.")


def check_new_version(db, function, max_versions):
    versions = lookups.versions(db, function.id)
    latest = (versions[-1].version_number, versions[-1].snapshot()) if versions else None
    version_rules.check_new_version(function.source, len(versions), latest,
                                    function.snapshot(), max_versions)


def claim_number(db, function, description, copy):
    """Insert the next version if the counter is still where it was read; else ``None``."""
    number = function.version_counter + 1
    claimed = db.execute(
        sa.update(Function)
        .where(Function.id == function.id, Function.version_counter == number - 1)
        .values(version_counter=number, latest_version=number))
    if claimed.rowcount != 1:
        db.rollback()
        return None
    version = FunctionVersion(
        id=str(uuid.uuid4()), project_id=function.project_id, function_id=function.id,
        version_number=number, description=description, count=0,
        **{**function.snapshot(), "package_key": copy["key"],
           "package_sha256": copy["sha256"], "package_md5": copy["md5sum"],
           "package_size": copy["size"]})
    db.add(version)
    try:
        db.commit()
    except IntegrityError:
        LOG.info("version %s of function %s was taken meanwhile", number, function.id)
        db.rollback()
        return None
    return version


def list_versions(function_id, *, db, caller):
    caller.authorize("function_version:get_all")
    function = lookups.function(db, caller, function_id)
    return [v.to_dict() for v in lookups.versions(db, function.id)]


def get_version(function_id, version, *, db, caller):
    caller.authorize("function_version:get")
    number = version_number(version)
    function = lookups.function(db, caller, function_id)
    return lookups.version(db, function.id, number).to_dict()


def delete_version(function_id, version, *, db, caller, storage, trigger, dispatch):
    """Refused while jobs, webhooks, event triggers or aliases use the version; deletes its
    package."""
    caller.authorize("function_version:delete")
    number = version_number(version)
    function = lookups.own_function(db, caller, function_id)
    row = lookups.version(db, function.id, number)
    usage = trigger.function_usage(function.id, number)
    if usage["jobs"]:
        raise Forbidden("The function version is still associated with running job(s).")
    if usage["webhooks"]:
        raise Forbidden("The function version is still associated with webhook.")
    if usage.get("event_triggers"):
        raise Forbidden("The function version is still associated with event trigger(s).")
    if lookups.alias_count(db, function.id, number):
        raise Forbidden("The function version is still associated with alias.")
    db.delete(row)
    db.flush()
    function.latest_version = db.scalar(
        sa.select(sa.func.coalesce(sa.func.max(FunctionVersion.version_number), 0))
        .where(FunctionVersion.function_id == function.id))
    db.commit()
    packages.discard(storage, row.package_key)
    dispatch(events.VERSION_DELETED, {"function_id": function.id, "version": number})
