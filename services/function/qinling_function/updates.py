"""Handler of ``update_function``: Qinling's ``PUT /v1/functions/{id}``.

Ports as in ``functions``: ``db``, ``caller``, ``limits``, the ``storage``, ``execution`` and
``trigger`` RPC proxies, ``dispatch``.
"""
import logging

from qinling_shared import events
from qinling_shared.exceptions import Forbidden

from qinling_function import lookups, packages, rules, update_rules

LOG = logging.getLogger(__name__)
JOBS = "The function is still associated with running job(s)."


def update_function(function_id, values, package, *, db, caller, limits, storage, execution,
                    trigger, dispatch):
    """Update name, description, code (package or swift), entry, cpu, memory_size, timeout,
    max_retries.

    ``package`` is a new upload held by the storage service, or ``None``: claimed with the
    update, deleted if it is refused; an accepted one deletes the package it replaces (after
    the commit). When what runs changes, the execution service forgets the function before
    this returns and ``function_updated`` tells every replica.
    """
    caller.authorize("function:update")
    with packages.settled(db, storage, package):
        function, clean, code, swift = checked_update(
            function_id, values, package, db=db, caller=caller, limits=limits,
            storage=storage, trigger=trigger)
        before = function.snapshot()
        replaced = apply_update(function, clean, code, package, swift)
    packages.discard(storage, replaced)
    if update_rules.runs_changed(before, function.snapshot()):
        announce_update(function.id, execution=execution, dispatch=dispatch)
    return function.to_dict()


def checked_update(function_id, values, package, *, db, caller, limits, storage, trigger):
    """``(function, clean fields, new code or None, swift stat or None)``, or a refusal."""
    changes = update_rules.requested(values, package)
    clean = update_rules.clean_fields(changes, limits)
    function = lookups.function(db, caller, function_id)
    if update_rules.is_db_only(changes):
        return function, clean, None, None
    if trigger.function_usage(function_id)["jobs"]:
        raise Forbidden(JOBS)
    code = update_rules.new_code(function.code, function.package_md5, changes)
    swift = None
    if code is not None and code["source"] == "swift":
        swift = storage.stat_swift_object(code["swift"]["container"], code["swift"]["object"])
    return function, clean, code, swift


def apply_update(function, clean, code, package, swift):
    """Set the new values; return the key of a package this update replaces."""
    for field, value in clean.items():
        setattr(function, field, value)
    if code is None:
        return None
    replaced = function.package_key if package is not None else None
    function.code = code
    if package is not None:
        function.package_key, function.package_sha256 = package["key"], package["sha256"]
        function.package_md5, function.package_size = package["md5sum"], package["size"]
    else:
        function.package_key = rules.swift_key(code["swift"]["container"],
                                               code["swift"]["object"])
        function.package_sha256 = None
        function.package_md5, function.package_size = swift["etag"], swift["size"]
    return replaced


def announce_update(function_id, *, execution, dispatch):
    """One execution replica forgets at once (synchronously); the event reaches them all."""
    dispatch(events.FUNCTION_UPDATED, {"id": function_id})
    try:
        execution.forget_function(function_id)
    except Exception:  # the update is committed; the event still clears the caches
        LOG.exception("execution service could not forget function %s", function_id)
