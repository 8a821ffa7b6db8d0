"""The runtime API (handlers): create, get, list, update and delete runtimes, and report a
runtime's pool.

Status machine, as Qinling: ``creating → available | error``; an image update goes
``available → upgrading → available | error``; a deleted runtime passes through ``deleting``
and its row is removed. The local orchestrator makes and updates runtime pools at once, so
these handlers return after the transition. Every change makes this replica's runtime cache
forget the runtime at once, and the other replicas' by a broadcast event.
"""
import logging
import uuid

from qinling_shared import events
from qinling_shared.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from qinling_shared.status import RuntimeStatus

from qinling_execution import invalidation, listings, runtime_rules
from qinling_execution.models import Runtime

LOG = logging.getLogger(__name__)


def create_runtime(values, caller, *, session, orchestrator):
    caller.authorize("runtime:create")
    clean = runtime_rules.new_runtime(values)
    runtime = Runtime(id=str(uuid.uuid4()), project_id=caller.project_id,
                      status=RuntimeStatus.CREATING.value, **clean)
    session.add(runtime)
    session.commit()
    try:
        orchestrator.create_pool(runtime.id, runtime.image)
    except InvalidInput:
        session.delete(runtime)
        session.commit()
        raise
    except Exception:
        LOG.exception("pool of runtime %s failed", runtime.id)
        runtime.status = RuntimeStatus.ERROR.value
    else:
        runtime.status = RuntimeStatus.AVAILABLE.value
    session.commit()
    return runtime.to_dict()


def get_runtime(runtime_id, caller, session):
    caller.authorize("runtime:get")
    return _visible(session, runtime_id, caller).to_dict()


def list_runtimes(query, caller, session):
    caller.authorize("runtime:get_all")
    rows = listings.runtimes(session, query, caller.project_id, caller.may_list_all("runtime"))
    return [runtime.to_dict() for runtime in rows]


def update_runtime(runtime_id, values, caller, *, session, orchestrator, placement, caches,
                   dispatch):
    """Qinling's ``PUT /v1/runtimes/<id>``: ``name``, ``description`` and ``image``."""
    caller.authorize("runtime:update")
    clean = runtime_rules.runtime_update(values)
    runtime = _visible(session, runtime_id, caller)
    image = clean.pop("image", None)
    if image is not None:
        if runtime.status != RuntimeStatus.AVAILABLE:
            raise Conflict(f"Runtime {runtime.id} is not available.")
        if image != runtime.image:
            if placement.runtime_in_use(runtime.id):
                raise Forbidden(f"Runtime {runtime.id} is still in use by functions.")
            _upgrade(runtime, image, session, orchestrator, caches, dispatch)
    for name, value in clean.items():
        setattr(runtime, name, value)
    session.commit()
    invalidation.runtime_changed(events.RUNTIME_UPDATED, runtime.id, caches, dispatch)
    return runtime.to_dict()


def delete_runtime(runtime_id, caller, *, session, orchestrator, function, caches, dispatch):
    caller.authorize("runtime:delete")
    runtime = _visible(session, runtime_id, caller)
    if function.count_functions(runtime.id) > 0:
        raise Forbidden(f"Runtime {runtime.id} is still in use.")
    runtime.status = RuntimeStatus.DELETING.value
    session.commit()
    invalidation.runtime_changed(events.RUNTIME_UPDATED, runtime.id, caches, dispatch)
    try:
        orchestrator.delete_pool(runtime.id)
    except Exception:
        LOG.exception("pool of runtime %s could not be deleted", runtime.id)
        runtime.status = RuntimeStatus.ERROR.value
        session.commit()
        raise
    session.delete(runtime)
    session.commit()
    invalidation.runtime_changed(events.RUNTIME_DELETED, runtime.id, caches, dispatch)


def get_runtime_pool(runtime_id, caller, session, orchestrator):
    """``{"name": <runtime id>, "capacity": {"total", "available"}}``. A runtime whose pool
    this orchestrator has not made yet (it makes pools on demand) has no workers."""
    caller.authorize("runtime_pool:get_all")
    runtime = _visible(session, runtime_id, caller)
    try:
        info = orchestrator.pool_info(runtime.id)
    except NotFound:
        total = available = 0
    else:
        total, available = info.total, info.available
    return {"name": runtime.id, "capacity": {"total": total, "available": available}}


def _upgrade(runtime, image, session, orchestrator, caches, dispatch):
    """Move the runtime's pool to ``image``; an image the orchestrator refuses leaves the
    runtime as it was (``InvalidInput``)."""
    previous = runtime.image
    runtime.image, runtime.status = image, RuntimeStatus.UPGRADING.value
    session.commit()
    invalidation.runtime_changed(events.RUNTIME_UPDATED, runtime.id, caches, dispatch)
    try:
        orchestrator.create_pool(runtime.id, image)
    except InvalidInput:
        runtime.image, runtime.status = previous, RuntimeStatus.AVAILABLE.value
        session.commit()
        raise
    except Exception:
        LOG.exception("upgrade of runtime %s to %s failed", runtime.id, image)
        runtime.status = RuntimeStatus.ERROR.value
    else:
        runtime.status = RuntimeStatus.AVAILABLE.value


def _visible(session, runtime_id, caller):
    """A runtime the caller may see: its project's, a public one, or any for admins."""
    runtime = session.get(Runtime, runtime_id) if isinstance(runtime_id, str) else None
    if runtime is None or not caller.may_see(runtime.project_id, runtime.is_public):
        raise NotFound(f"Runtime not found [id={runtime_id}]")
    return runtime
