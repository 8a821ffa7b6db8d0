"""The execution RPC methods, the consumer of queued executions and the cancel path of the
execution service (mixed into ``ExecutionService``).

Status machine: ``running → success | failed | error | cancelled``, left exactly once by a
compare-and-set UPDATE (``transitions``). Synchronous executions run in the RPC call; their
deadline is the function's timeout plus ``DEADLINE_SLACK``. Asynchronous ones are committed, then
queued durably (``async_queue``) before the call returns; the consumer runs them, retries
platform failures after a backoff (``retries``) and records the outcome before the message is
acked, so a redelivered message of a finished execution changes nothing.
"""
import datetime
import logging
import uuid

from nameko.events import BROADCAST, EventDispatcher, event_handler
from nameko.rpc import rpc
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

from qinling_shared import clock
from qinling_nameko.database import get_scoped
from qinling_shared.exceptions import Conflict, InvalidInput, QinlingError, Unavailable
from qinling_shared.status import ExecutionStatus

from qinling_execution import async_queue, listings, outcomes, requests_rules, retries
from qinling_execution import transitions
from qinling_execution.in_flight import InFlight
from qinling_execution.models import Execution

LOG = logging.getLogger(__name__)
RUNNABLE_SOURCES = ("package", "swift")
EXECUTION_CANCELLED = "execution_cancelled"
DEADLINE_SLACK = 60.0   # s beyond the function timeout: worker start, download, round trips
UNQUEUED_GRACE = 30.0   # s an accepted asynchronous execution may stay unqueued
SWEEP_INTERVAL = 10.0   # s between sweeps for unqueued and overdue executions
_RUNNING = ExecutionStatus.RUNNING.value


class ExecutionMethods:
    execution_queue = async_queue.ExecutionQueue()
    dispatch = EventDispatcher()
    in_flight = InFlight()

    # -- the API ------------------------------------------------------------------------

    @rpc
    def create_execution(self, values, idempotency_key=None):
        """Run (sync) or queue (async) an execution. A repeated ``idempotency_key`` of the
        project returns the first execution with it, as it is now."""
        key = requests_rules.idempotency_key(idempotency_key)
        first = self._by_idempotency_key(key)
        if first is not None:
            return first.to_dict()
        clean = requests_rules.new_execution(values)
        if clean["function_alias"]:
            target = self._alias(clean["function_alias"])
            clean["function_id"] = target["function_id"]
            clean["function_version"] = target["function_version"]
        spec = self._runnable_spec(clean["function_id"], clean["function_version"])
        execution, created = self._accept(clean, spec, key)
        if not created:  # another request with the same key committed first
            return execution.to_dict()
        if execution.sync:
            return self._run(execution, spec).to_dict()
        self._enqueue(execution)
        return execution.to_dict()

    @rpc
    def get_execution(self, execution_id):
        return self._execution(execution_id).to_dict()

    @rpc
    def get_execution_log(self, execution_id):
        return self._execution(execution_id).logs or ""

    @rpc
    def list_executions(self, query=None):
        rows = listings.executions(self.db, query, self.project_id, self.is_admin)
        return [execution.to_dict() for execution in rows]

    @rpc
    def delete_execution(self, execution_id):
        self.db.delete(self._execution(execution_id))
        self.db.commit()

    @rpc
    def cancel_execution(self, execution_id):
        """Cancel a running execution: recorded ``cancelled`` at once; the replica running it
        stops its run on the worker. ``Conflict`` when it has already ended."""
        execution = self._execution(execution_id)
        elapsed = (clock.utcnow() - execution.created_at).total_seconds()
        result = {"output": outcomes.CANCELLED_MESSAGE, "duration": round(elapsed, 3)}
        done = transitions.finish(self.db, execution_id, ExecutionStatus.CANCELLED, result, None,
                                  row=execution)
        if not done:
            execution = self._reloaded(execution)
            raise Conflict(f"Execution {execution_id} has already ended: {execution.status}.")
        self.dispatch(EXECUTION_CANCELLED, {"id": execution_id})
        return execution.to_dict()

    @event_handler("execution", EXECUTION_CANCELLED, handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_execution_cancelled(self, payload):
        url = self.in_flight.cancel(payload["id"])
        if url is not None:
            stopped = self.engine.worker_client.cancel(url, payload["id"])
            LOG.info("cancelled execution %s on %s (stopped: %s)", payload["id"], url, stopped)

    # -- asynchronous executions ----------------------------------------------------------

    @async_queue.consume_executions
    def run_queued(self, body):
        """Run one queued execution (the message is acked when this returns)."""
        try:
            execution_id, retries_done = async_queue.parse(body)
        except ValueError as exc:
            LOG.error("dropped a message of the execution queue: %s", exc)
            return
        deliveries = transitions.count_delivery(self.db, execution_id)
        if deliveries is None:
            return  # finished (a redelivery), cancelled or deleted
        execution = self.db.get(Execution, execution_id)
        if retries.interrupted_too_often(deliveries, retries_done):
            self._record(execution, outcomes.interrupted(deliveries - retries_done - 1))
            return
        spec, outcome = self._attempt(execution)
        policy = self.execution_queue.policy
        limit = policy.limit_for(self._max_retries(execution, spec))
        step = retries.next_step(outcome.get("platform_failure"), retries_done, limit)
        if step == retries.RETRY:
            retry = retries_done + 1
            self.execution_queue.retry(execution_id, retry)
            note = outcomes.retry_note(outcome, retry, limit, policy.delay_ms(retry))
            transitions.count_retry(self.db, execution_id, note)
            return
        if step == retries.GIVE_UP:  # a dead letter: kept as an error, with its reason
            outcome = outcomes.given_up(outcome, retries_done)
        self._record(execution, outcome)

    @timer(interval=SWEEP_INTERVAL)
    def sweep_executions(self):
        """Queue accepted executions whose message was never confirmed; end synchronous ones
        left running past their deadline by a replica that stopped."""
        now = clock.utcnow()
        for execution_id in transitions.unqueued(
                self.db, now - datetime.timedelta(seconds=UNQUEUED_GRACE)):
            LOG.warning("queueing execution %s again: it was never queued", execution_id)
            self.execution_queue.submit(execution_id)
            transitions.mark_queued(self.db, execution_id)
        reason = "The execution service running it stopped before it ended.\n"
        for execution_id in transitions.overdue(self.db, now):
            LOG.warning("execution %s is past its deadline: recorded as an error", execution_id)
            transitions.finish(self.db, execution_id, ExecutionStatus.ERROR,
                               {"output": outcomes.FAILED_MESSAGE, "duration": None}, reason)

    # -- helpers --------------------------------------------------------------------------

    def _execution(self, execution_id):
        return get_scoped(self.db, Execution, execution_id, self.project_id, self.is_admin,
                          f"Execution not found [id={execution_id}]")

    def _by_idempotency_key(self, key):
        if key is None:
            return None
        return self.db.query(Execution).filter_by(
            project_id=self.project_id, idempotency_key=key).one_or_none()

    def _accept(self, clean, spec, key):
        """``(execution, True)`` once the new ``running`` row is committed; ``(first, False)``
        when another request with the same idempotency key committed first."""
        deadline = None
        if clean["sync"]:
            deadline = clock.utcnow() + datetime.timedelta(
                seconds=spec["timeout"] + DEADLINE_SLACK)
        try:
            execution = transitions.create(
                self.db, id=str(uuid.uuid4()), project_id=self.project_id, status=_RUNNING,
                idempotency_key=key, deadline_at=deadline, **clean)
        except IntegrityError:
            self.db.rollback()
            first = self._by_idempotency_key(key)
            if first is None:
                raise
            return first, False
        return execution, True

    def _enqueue(self, execution):
        """Publish the execution's message (confirmed); if that fails the row goes too."""
        try:
            self.execution_queue.submit(execution.id)
        except Unavailable:
            LOG.exception("could not queue execution %s", execution.id)
            transitions.delete(self.db, execution.id)
            raise
        transitions.mark_queued(self.db, execution.id, row=execution)

    def _max_retries(self, execution, spec):
        """The function's own retry maximum (kept on the live function, whatever version
        runs), or ``None``."""
        if spec is not None and execution.function_version == 0:
            return spec.get("max_retries")
        try:
            live = self._spec(execution.function_id, 0, check_project=False)
        except QinlingError:
            return None
        return live.get("max_retries")

    def _reloaded(self, execution):
        """The row as committed now (another worker may have changed it)."""
        fresh = self.db.get(Execution, execution.id, populate_existing=True)
        return fresh if fresh is not None else execution

    # -- running --------------------------------------------------------------------------

    def _run(self, execution, spec=None):
        """Run ``execution`` once and record the outcome; the execution as recorded."""
        _, outcome = self._attempt(execution, spec)
        return self._record(execution, outcome)

    def _record(self, execution, outcome):
        status = outcomes.status_of(outcome)
        logs = outcome.get("logs") or ""
        if transitions.finish(self.db, execution.id, status, outcomes.result_of(outcome), logs,
                              row=execution):
            return execution  # as written
        transitions.keep_logs(self.db, execution.id, logs)  # it was cancelled meanwhile
        return self._reloaded(execution)

    def _attempt(self, execution, spec=None):
        """``(spec or None, outcome)`` of one run: a worker's result, or a failure."""
        try:
            if spec is None:
                spec = self._spec(execution.function_id, execution.function_version,
                                  check_project=False)
            return spec, self._invoke(execution, spec)
        except Unavailable as exc:
            LOG.warning("execution %s could not run: %s", execution.id, exc)
            return spec, outcomes.failure(exc, platform=True)
        except QinlingError as exc:
            LOG.warning("execution %s could not run: %s", execution.id, exc)
            return spec, outcomes.failure(exc)
        except Exception as exc:  # noqa: B902 - a broken dependency must not lose the run
            LOG.exception("execution %s could not run", execution.id)
            return spec, outcomes.failure(f"The platform failed to run it: {exc!r}",
                                          platform=True)

    def _invoke(self, execution, spec):
        if spec["code"]["source"] not in RUNNABLE_SOURCES:
            raise InvalidInput(
                f"{spec['code']['source']} functions are not supported by this orchestrator yet.")
        runtime = self._runtime_view(spec["runtime_id"])
        engine = self.engine
        body = {
            "execution_id": execution.id, "function_id": spec["id"],
            "function_version": execution.function_version, "entry": spec["entry"],
            "input": execution.input, "timeout": spec["timeout"], "cpu": spec["cpu"],
            "memory_size": spec["memory_size"],
            "package_url": engine.package_urls.get(spec["package_key"], self.storage.sign_url),
            "package_sha256": spec.get("package_sha256"),
            "package_md5": spec.get("package_md5"),
        }
        with engine.placement.worker_for(runtime, spec["id"], execution.function_version) as w:
            if not self.in_flight.start(execution.id, w.url):
                return outcomes.cancelled()
            try:
                return engine.worker_client.execute(w.url, body, spec["timeout"])
            finally:
                self.in_flight.end(execution.id)
