"""What an execution runs, as its caller may see it: an alias's target, the spec of a function
version and the runtime it runs on, each through this replica's caches (on the warm path no RPC
call and no query is made).

``function`` is the function service's RPC proxy; ``caller`` a :class:`callers.Caller`, or
``None`` where the caller was checked before (a queued execution runs what was accepted).
"""
from qinling_shared.exceptions import Conflict, InvalidInput, NotFound
from qinling_shared.status import RuntimeStatus

from qinling_execution.models import Runtime


def alias_target(name, caller, caches, function):
    """``{function_id, function_version}`` of an alias of the caller's project."""
    key = (name, caller.project_id)  # alias names are unique per project
    return caches.aliases.get(key, lambda: function.resolve_alias(name))


def spec(function_id, version, caller, caches, function):
    """The spec of a function version; ``NotFound`` when ``caller`` may not see it."""
    found = caches.specs.get((function_id, version),
                             lambda: function.get_function_spec(function_id, version))
    if caller is not None and not caller.may_see(found["project_id"]):
        raise NotFound(f"Function not found [id={function_id}]")
    return found


def runnable_spec(function_id, version, caller, caches, function, session):
    """The spec to run, checked in Qinling's order: the function exists (404), its runtime is
    available (409), only package functions have versions (400), the version exists (404)."""
    live = spec(function_id, 0, caller, caches, function)
    _check_available(live["runtime_id"], caller, caches, session)
    if not version:
        return live
    if live["code"]["source"] != "package":
        raise InvalidInput("Can not specify version for package type function.")
    found = spec(function_id, version, caller, caches, function)
    if found["runtime_id"] != live["runtime_id"]:
        _check_available(found["runtime_id"], caller, caches, session)
    return found


def check_version(function_id, version, caller, caches, function):
    """``NotFound`` unless the caller may see the function and the version exists."""
    spec(function_id, 0, caller, caches, function)
    if version:
        spec(function_id, version, caller, caches, function)


def runtime_view(runtime_id, caller, caches, session):
    """The runtime as ``Runtime.to_dict()`` renders it, from the cache (kept until the runtime
    changes on any replica); ``NotFound`` when the caller may not see it."""
    if not isinstance(runtime_id, str):
        raise NotFound(f"Runtime not found [id={runtime_id}]")
    runtime = caches.runtimes.get((runtime_id,), lambda: _runtime_dict(session, runtime_id))
    if runtime is None or not caller.may_see(runtime["project_id"], runtime["is_public"]):
        raise NotFound(f"Runtime not found [id={runtime_id}]")
    return runtime


def _check_available(runtime_id, caller, caches, session):
    if runtime_id and runtime_view(runtime_id, caller, caches, session)["status"] != \
            RuntimeStatus.AVAILABLE:
        raise Conflict(f"Runtime {runtime_id} is not available.")


def _runtime_dict(session, runtime_id):
    runtime = session.get(Runtime, runtime_id)
    return None if runtime is None else runtime.to_dict()
