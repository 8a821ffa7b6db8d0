"""Handlers of functions: create, read, list, spec, download URL, count, delete.

Each takes the request's values, then its ports as keyword arguments: ``db`` (the session),
``caller`` (``qinling_nameko.providers.Caller``), ``limits`` (``[resource_limits]`` as a dict), the RPC
proxies ``storage``, ``execution`` and ``trigger``, ``dispatch`` (events) and ``keystone``
(``qinling_nameko.keystone``, or ``None``: the function's trust).
"""
import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from qinling_nameko.keystone import drop_trust, dropped_on_failure, make_trust
from qinling_shared import events
from qinling_shared.exceptions import Forbidden, InvalidInput, NotAllowed
from qinling_shared.status import RuntimeStatus
from qinling_shared.versions import number as version_number

from qinling_function import lookups, packages, rules
from qinling_function.models import Function, FunctionVersion

FUNCTION_FILTERS = frozenset(("id", "name", "description", "runtime_id", "entry", "cpu",
                              "memory_size", "timeout", "count", "latest_version"))
FUNCTION_SORTABLE = ("created_at", "updated_at", "name")
IN_USE = "The function is still associated with {}."


def create_function(values, package, *, db, caller, limits, storage, execution, dispatch,
                    keystone=None):
    """A function from the form fields of ``POST /v1/functions``; ``package`` is an upload
    the storage service holds (or ``None``): claimed with the function, deleted if refused.
    With Keystone, the function keeps a trust of its creator (``qinling_nameko.keystone``)."""
    caller.authorize("function:create")
    trust_id = make_trust(keystone, caller)
    with dropped_on_failure(keystone, trust_id, caller), \
            packages.settled(db, storage, package):
        columns = new_columns(values, package, limits, storage, execution)
        function = Function(id=str(uuid.uuid4()), project_id=caller.project_id, count=0,
                            latest_version=0, version_counter=0, trust_id=trust_id, **columns)
        db.add(function)
    dispatch(events.FUNCTION_CREATED, {"id": function.id})
    return function.to_dict()


def new_columns(values, package, limits, storage, execution):
    """The clean columns of a new function, or a refusal (Qinling's order)."""
    if not isinstance(values, dict):
        raise InvalidInput("Invalid request: an object of fields is required.")
    clean = rules.new_function(values, limits)
    if clean["runtime_id"]:
        runtime = execution.get_runtime(clean["runtime_id"])
        if runtime["status"] != RuntimeStatus.AVAILABLE:
            raise InvalidInput(f"Runtime {clean['runtime_id']} is not available.")
    if clean["code"]["source"] == "image":
        execution.check_images()  # InvalidInput when none of its orchestrator can run them
    rules.check_package(clean["code"], package)
    if package is not None:
        clean.update(code={**clean["code"], "md5sum": package["md5sum"]},
                     package_key=package["key"], package_sha256=package["sha256"],
                     package_md5=package["md5sum"], package_size=package["size"])
    elif clean["code"]["source"] == "swift":
        clean.update(swift_columns(clean["code"], storage))
    return clean


def swift_columns(code, storage):
    """The code and package columns of a function whose code is a Swift object."""
    container, obj = rules.swift_location(code)
    stat = storage.stat_swift_object(container, obj)
    return {"code": rules.swift_code(container, obj),
            "package_key": rules.swift_key(container, obj), "package_sha256": None,
            "package_md5": stat["etag"], "package_size": stat["size"]}


def get_function(function_id, *, db, caller):
    caller.authorize("function:get")
    return lookups.function(db, caller, function_id).to_dict()


def list_functions(query, *, db, caller):
    caller.authorize("function:get_all")
    rows = lookups.listed(db, caller, Function, query, FUNCTION_FILTERS, FUNCTION_SORTABLE)
    return [row.to_dict() for row in rows]


def get_function_spec(function_id, version, *, db, caller):
    """What the execution service runs: the live function (0) or a version's snapshot, and
    the function's trust (its asynchronous runs act through it)."""
    number = version_number(version)
    function = lookups.function(db, caller, function_id)
    return {**lookups.runnable(db, function, number).to_spec(), "trust_id": function.trust_id}


def get_package_url(function_id, version, *, db, caller, storage):
    """A signed download URL of the function's (or a version's) code."""
    caller.authorize("function:get")
    number = version_number(version)
    function = lookups.function(db, caller, function_id)
    if function.source == "image":
        raise NotAllowed("Download image function is not allowed.")
    return storage.sign_url(lookups.runnable(db, function, number).package_key)


def count_functions(runtime_id, *, db):
    """How many functions of any project run on ``runtime_id``."""
    return db.scalar(sa.select(sa.func.count()).select_from(Function)
                     .where(Function.runtime_id == runtime_id))


def delete_function(function_id, *, db, caller, storage, trigger, dispatch, keystone=None):
    """Delete a function, its versions, every package it owns and its trust; executions
    stay."""
    caller.authorize("function:delete")
    function = lookups.function(db, caller, function_id)
    check_deletable(db, caller, function, trigger.function_usage(function.id))
    keys = [v.package_key for v in lookups.versions(db, function.id)]
    if function.source == "package":  # a swift function's object is the user's
        keys.append(function.package_key)
    db.execute(sa.delete(FunctionVersion).where(FunctionVersion.function_id == function.id))
    db.delete(function)
    try:
        db.commit()
    except IntegrityError:  # an alias made meanwhile still points at it
        db.rollback()
        raise Forbidden(IN_USE.format("function alias(es)")) from None
    for key in keys:
        packages.discard(storage, key)
    drop_trust(keystone, function.trust_id, caller)
    dispatch(events.FUNCTION_DELETED, {"id": function.id})


def check_deletable(db, caller, function, usage):
    """Refused while jobs (``usage["jobs"]``), webhooks, event triggers or aliases use it,
    and for anyone but its project (even admins: Qinling's rule)."""
    if usage["jobs"]:
        raise Forbidden(IN_USE.format("running job(s)"))
    if usage["webhooks"]:
        raise Forbidden(IN_USE.format("webhook(s)"))
    if usage.get("event_triggers"):
        raise Forbidden(IN_USE.format("event trigger(s)"))
    if lookups.alias_count(db, function.id):
        raise Forbidden(IN_USE.format("function alias(es)"))
    if function.project_id != caller.project_id:
        raise Forbidden("Function can only be deleted by its owner.")
