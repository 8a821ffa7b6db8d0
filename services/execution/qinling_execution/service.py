"""The execution service: runtimes, executions, and the workers that run them.

Each entrypoint calls one handler function with the ports it uses (see the module map in
``services/execution/README.md``).
"""
from nameko.events import BROADCAST, EventDispatcher, event_handler
from nameko.rpc import RpcProxy
from nameko.timer import timer

from qinling_nameko.database import Database
from qinling_nameko.keystone import KeystoneProvider
from qinling_nameko.metrics import ServesMetrics
from qinling_nameko.ping import pong
from qinling_nameko.providers import CurrentCaller
from qinling_nameko.rpc import rpc
from qinling_shared import events
from qinling_shared.start_by import Verdict

from qinling_execution import cancellation, consumer, executions, function_workers
from qinling_execution import invalidation, runtimes, sweeper, worker_upkeep
from qinling_execution.active_runs import ActiveRunsProvider
from qinling_execution.dependencies import (
    CachesProvider, OrchestratorProvider, PlacementProvider, WarmPoolProvider,
    WorkerClientProvider, WorkerMapProvider)
from qinling_execution.execution_queue import ExecutionQueue, consume_executions


def cache_event(event_type):
    """A handler of an event that makes this service's caches stale. Every replica keeps its
    own caches, so each must hear it: broadcast, not kept while it is down."""
    return event_handler(events.SOURCES[event_type], event_type, handler_type=BROADCAST,
                         reliable_delivery=False)


class ExecutionService(ServesMetrics):
    name = "execution"

    db = Database("qinling_execution")
    orchestrator = OrchestratorProvider()
    worker_map = WorkerMapProvider()
    warm_pool = WarmPoolProvider()
    placement = PlacementProvider()
    worker_client = WorkerClientProvider()
    caches = CachesProvider()
    active_runs = ActiveRunsProvider()
    execution_queue = ExecutionQueue()
    dispatch = EventDispatcher()
    function = RpcProxy("function")
    storage = RpcProxy("storage")
    caller = CurrentCaller()
    keystone = KeystoneProvider()

    @rpc
    def ping(self):
        return pong(self.name, orchestrator=self.orchestrator.probe())

    # -- executions -----------------------------------------------------------------------

    @rpc(replayable=True)
    def create_execution(self, values, idempotency_key=None, request_key=None,
                         delivery=Verdict.RUN):
        """Idempotent by its key, so a late redelivery may answer with what the first
        delivery made (``qinling_nameko.rpc``)."""
        return executions.create_execution(
            values, idempotency_key, self.caller, session=self.db, function=self.function,
            caches=self.caches, storage=self.storage, placement=self.placement,
            worker_client=self.worker_client, active_runs=self.active_runs,
            execution_queue=self.execution_queue, request_key=request_key, delivery=delivery,
            keystone=self.keystone)

    @rpc
    def get_execution(self, execution_id):
        return executions.get_execution(execution_id, self.caller, self.db)

    @rpc
    def get_execution_log(self, execution_id):
        return executions.get_execution_log(execution_id, self.caller, self.db)

    @rpc
    def list_executions(self, query=None):
        return executions.list_executions(query, self.caller, self.db)

    @rpc
    def delete_execution(self, execution_id):
        executions.delete_execution(execution_id, self.caller, self.db)

    @rpc
    def cancel_execution(self, execution_id):
        return executions.cancel_execution(execution_id, self.caller, self.db, self.dispatch)

    @event_handler("execution", cancellation.EXECUTION_CANCELLED, handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_execution_cancelled(self, payload):
        cancellation.stop_run(payload["id"], self.active_runs, self.worker_client,
                              self.orchestrator)

    @consume_executions
    def run_queued(self, body):
        consumer.run_queued(
            body, self.caller, session=self.db, function=self.function, caches=self.caches,
            storage=self.storage, placement=self.placement, worker_client=self.worker_client,
            active_runs=self.active_runs, execution_queue=self.execution_queue,
            keystone=self.keystone)

    @timer(interval=sweeper.SWEEP_INTERVAL)
    def sweep_executions(self):
        sweeper.sweep(self.db, self.execution_queue, self.orchestrator, self.active_runs)

    @rpc
    def check_images(self):
        """``None`` when image functions can run here; else ``InvalidInput`` naming what is
        missing (the function service's check of a new image function)."""
        self.orchestrator.check_images()

    # -- runtimes -------------------------------------------------------------------------

    @rpc
    def create_runtime(self, values):
        return runtimes.create_runtime(values, self.caller, session=self.db,
                                       orchestrator=self.orchestrator)

    @rpc
    def get_runtime(self, runtime_id):
        return runtimes.get_runtime(runtime_id, self.caller, self.db)

    @rpc
    def list_runtimes(self, query=None):
        return runtimes.list_runtimes(query, self.caller, self.db)

    @rpc
    def update_runtime(self, runtime_id, values):
        return runtimes.update_runtime(
            runtime_id, values, self.caller, session=self.db, orchestrator=self.orchestrator,
            placement=self.placement, caches=self.caches, dispatch=self.dispatch)

    @rpc
    def delete_runtime(self, runtime_id):
        runtimes.delete_runtime(
            runtime_id, self.caller, session=self.db, orchestrator=self.orchestrator,
            function=self.function, caches=self.caches, dispatch=self.dispatch)

    @rpc
    def get_runtime_pool(self, runtime_id):
        return runtimes.get_runtime_pool(runtime_id, self.caller, self.db, self.orchestrator)

    # -- a function version's workers -----------------------------------------------------

    @rpc
    def list_workers(self, function_id, version=0):
        return function_workers.list_workers(
            function_id, version, self.caller, caches=self.caches, function=self.function,
            worker_map=self.worker_map)

    @rpc
    def scale_up_function(self, function_id, version=0, count=1):
        return function_workers.scale_up(
            function_id, version, count, self.caller, session=self.db, caches=self.caches,
            function=self.function, placement=self.placement)

    @rpc
    def scale_down_function(self, function_id, version=0, count=1):
        return function_workers.scale_down(
            function_id, version, count, self.caller, caches=self.caches,
            function=self.function, placement=self.placement)

    @rpc
    def detach_function(self, function_id, version=0):
        function_workers.detach(function_id, version, self.caller, caches=self.caches,
                                function=self.function, placement=self.placement)

    @timer(interval=worker_upkeep.UPKEEP_INTERVAL)
    def upkeep(self):
        worker_upkeep.upkeep(self.db, self.worker_map, self.placement, self.warm_pool)

    # -- keeping caches and workers current -----------------------------------------------

    @rpc
    def forget_function(self, function_id):
        """Called by the function service right after an update that changes what runs; the
        ``function_updated`` event does the same on every other replica."""
        invalidation.forget_function(function_id, self.caches, self.placement)

    @cache_event(events.FUNCTION_UPDATED)
    def on_function_updated(self, payload):
        invalidation.forget_function(payload["id"], self.caches, self.placement)

    @cache_event(events.FUNCTION_DELETED)
    def on_function_deleted(self, payload):
        invalidation.function_deleted(payload["id"], self.caches, self.placement)

    @cache_event(events.VERSION_DELETED)
    def on_version_deleted(self, payload):
        invalidation.version_deleted(payload["function_id"], int(payload["version"]),
                                     self.caches, self.placement)

    @cache_event(events.RUNTIME_UPDATED)
    def on_runtime_updated(self, payload):
        invalidation.forget_runtime(payload["id"], self.caches)

    @cache_event(events.RUNTIME_DELETED)
    def on_runtime_deleted(self, payload):
        invalidation.forget_runtime(payload["id"], self.caches)

    @cache_event(events.ALIAS_UPDATED)
    def on_alias_updated(self, payload):
        invalidation.forget_alias(payload["name"], self.caches)

    @cache_event(events.ALIAS_DELETED)
    def on_alias_deleted(self, payload):
        invalidation.forget_alias(payload["name"], self.caches)
