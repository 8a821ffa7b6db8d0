"""The runtime RPC methods of the execution service (mixed into ``ExecutionService``).

Status machine, as Qinling: ``creating → available | error``; an image update goes
``available → upgrading → available | error``; a deleted runtime passes through ``deleting``
and its row is removed. The local orchestrator makes and updates pools at once, so these
methods return after the transition.
"""
import logging
import uuid

from nameko.rpc import rpc

from qinling_shared import events
from qinling_shared.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from qinling_shared.status import RuntimeStatus

from qinling_execution import listings, runtime_rules
from qinling_execution.models import Runtime

LOG = logging.getLogger(__name__)


class RuntimeMethods:
    @rpc
    def create_runtime(self, values):
        clean = runtime_rules.new_runtime(values)
        runtime = Runtime(id=str(uuid.uuid4()), project_id=self.project_id,
                          status=RuntimeStatus.CREATING.value, **clean)
        self.db.add(runtime)
        self.db.commit()
        try:
            self.engine.orchestrator.create_pool(runtime.id, runtime.image)
        except InvalidInput:
            self.db.delete(runtime)
            self.db.commit()
            raise
        except Exception:
            LOG.exception("pool of runtime %s failed", runtime.id)
            runtime.status = RuntimeStatus.ERROR.value
        else:
            runtime.status = RuntimeStatus.AVAILABLE.value
        self.db.commit()
        return runtime.to_dict()

    @rpc
    def get_runtime(self, runtime_id):
        return self._runtime(runtime_id).to_dict()

    @rpc
    def list_runtimes(self, query=None):
        rows = listings.runtimes(self.db, query, self.project_id, self.is_admin)
        return [runtime.to_dict() for runtime in rows]

    @rpc
    def update_runtime(self, runtime_id, values):
        """Qinling's ``PUT /v1/runtimes/<id>``: ``name``, ``description`` and ``image``."""
        clean = runtime_rules.runtime_update(values)
        runtime = self._runtime(runtime_id)
        image = clean.pop("image", None)
        if image is not None:
            if runtime.status != RuntimeStatus.AVAILABLE:
                raise Conflict(f"Runtime {runtime.id} is not available.")
            if image != runtime.image:
                if self.engine.placement.runtime_in_use(runtime.id):
                    raise Forbidden(f"Runtime {runtime.id} is still in use by functions.")
                self._upgrade(runtime, image)
        for name, value in clean.items():
            setattr(runtime, name, value)
        self.db.commit()
        self._runtime_changed(events.RUNTIME_UPDATED, runtime.id)
        return runtime.to_dict()

    @rpc
    def delete_runtime(self, runtime_id):
        runtime = self._runtime(runtime_id)
        if self.function.count_functions(runtime.id) > 0:
            raise Forbidden(f"Runtime {runtime.id} is still in use.")
        runtime.status = RuntimeStatus.DELETING.value
        self.db.commit()
        self._runtime_changed(events.RUNTIME_UPDATED, runtime.id)
        try:
            self.engine.orchestrator.delete_pool(runtime.id)
        except Exception:
            LOG.exception("pool of runtime %s could not be deleted", runtime.id)
            runtime.status = RuntimeStatus.ERROR.value
            self.db.commit()
            raise
        self.db.delete(runtime)
        self.db.commit()
        self._runtime_changed(events.RUNTIME_DELETED, runtime.id)

    @rpc
    def get_runtime_pool(self, runtime_id):
        """``{"name": <runtime id>, "capacity": {"total", "available"}}``. A runtime whose pool
        this orchestrator has not made yet (it makes pools on demand) has no workers."""
        runtime = self._runtime(runtime_id)
        try:
            info = self.engine.orchestrator.pool_info(runtime.id)
        except NotFound:
            total = available = 0
        else:
            total, available = info.total, info.available
        return {"name": runtime.id, "capacity": {"total": total, "available": available}}

    def _upgrade(self, runtime, image):
        """Move the runtime's pool to ``image``; an image the orchestrator refuses leaves the
        runtime as it was (``InvalidInput``)."""
        previous = runtime.image
        runtime.image, runtime.status = image, RuntimeStatus.UPGRADING.value
        self.db.commit()
        self._runtime_changed(events.RUNTIME_UPDATED, runtime.id)
        try:
            self.engine.orchestrator.create_pool(runtime.id, image)
        except InvalidInput:
            runtime.image, runtime.status = previous, RuntimeStatus.AVAILABLE.value
            self.db.commit()
            raise
        except Exception:
            LOG.exception("upgrade of runtime %s to %s failed", runtime.id, image)
            runtime.status = RuntimeStatus.ERROR.value
        else:
            runtime.status = RuntimeStatus.AVAILABLE.value

    def _runtime(self, runtime_id):
        """A runtime the caller may see: its project's, a public one, or any for admins."""
        runtime = self.db.get(Runtime, runtime_id) if isinstance(runtime_id, str) else None
        if runtime is None or not self._may_see(runtime.is_public, runtime.project_id):
            raise NotFound(f"Runtime not found [id={runtime_id}]")
        return runtime

    def _runtime_view(self, runtime_id):
        """``_runtime(runtime_id).to_dict()``, from the engine's cache on the hot path (kept
        until the runtime changes on any replica)."""
        if not isinstance(runtime_id, str):
            raise NotFound(f"Runtime not found [id={runtime_id}]")
        runtime = self.engine.runtimes.get((runtime_id,), lambda: self._runtime_dict(runtime_id))
        if runtime is None or not self._may_see(runtime["is_public"], runtime["project_id"]):
            raise NotFound(f"Runtime not found [id={runtime_id}]")
        return runtime

    def _runtime_dict(self, runtime_id):
        runtime = self.db.get(Runtime, runtime_id)
        return None if runtime is None else runtime.to_dict()

    def _may_see(self, is_public, project_id):
        """Its project's runtimes, public ones, or any for admins."""
        return is_public or self.is_admin or project_id == self.project_id

    def _runtime_changed(self, event, runtime_id):
        """Forget the runtime here at once, and on the other replicas by a broadcast event."""
        self.engine.runtimes.forget((runtime_id,))
        self.dispatch(event, {"id": runtime_id})
