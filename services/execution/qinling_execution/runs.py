"""Runs: one attempt of an execution on a worker, and the recording of its outcome. Used by
synchronous executions (in the RPC call) and by the consumer of the execution queue.

A run is among the active runs while its worker has it, so that a cancel reaches it; a run
whose execution was cancelled before it reached a worker is not started. Whatever goes wrong
becomes an outcome (``outcomes``): the execution is recorded either way. A worker that died
(e.g. a function killed it) is dropped as soon as a run finds it so: a run it refused goes to
a new worker, and a run it lost is recorded ``failed`` (``outcomes.worker_died``). The worker
an asynchronous run goes to is written on its row before the run is sent, so that a later
take of its message asks that worker first (``recalls``). Image functions run as containers
of the orchestrator instead (``image_runs``).
"""
import logging

from qinling_shared.exceptions import InvalidInput, QinlingError, Unavailable

from qinling_execution import image_runs, openstack_access, outcomes, targets, transitions
from qinling_execution.models import Execution
from qinling_execution.orchestrators import Limits

LOG = logging.getLogger(__name__)
RUNNABLE_SOURCES = ("package", "swift")
DEAD_WORKER_ATTEMPTS = 3  # requests refused by dead workers before the failure is recorded


def run(execution, spec, caller, *, session, caches, storage, placement, worker_client,
        active_runs, keystone=None):
    """Run ``execution`` of ``spec`` once and record the outcome; the execution as recorded."""
    _, outcome = attempt(execution, spec, caller, session=session, caches=caches, function=None,
                         storage=storage, placement=placement, worker_client=worker_client,
                         active_runs=active_runs, keystone=keystone)
    return record(session, execution, outcome)


def attempt(execution, spec, caller, *, session, caches, function, storage, placement,
            worker_client, active_runs, keystone=None):
    """``(spec or None, outcome)`` of one run: a worker's result, or a failure. Without
    ``spec``, the execution's own is loaded (through ``function`` on a cache miss). With
    ``keystone``, the worker gets the run's OpenStack access (``openstack_access``)."""
    try:
        if spec is None:
            spec = targets.spec(execution.function_id, execution.function_version, None,
                                caches, function)
        if image_runs.is_image(spec):
            return spec, image_runs.run(execution, spec, session, placement.orchestrator,
                                        active_runs)
        _check_runnable(spec)
        runtime = targets.runtime_view(spec["runtime_id"], caller, caches, session)
        openstack = openstack_access.for_run(keystone, execution, caller)
        return spec, _on_a_worker(execution, spec, runtime, session, caches, storage,
                                  placement, worker_client, active_runs, openstack)
    except Unavailable as exc:
        LOG.warning("execution %s could not run: %s", execution.id, exc)
        return spec, outcomes.failure(exc, platform=True)
    except QinlingError as exc:
        LOG.warning("execution %s could not run: %s", execution.id, exc)
        return spec, outcomes.failure(exc)
    except Exception as exc:  # noqa: B902 - a broken dependency must not lose the run
        LOG.exception("execution %s could not run", execution.id)
        return spec, outcomes.failure(f"The platform failed to run it: {exc!r}", platform=True)


def record(session, execution, outcome):
    """Record the outcome of a run; the execution as recorded. A run that ended after its
    execution was cancelled leaves it cancelled, with the run's logs."""
    status = outcomes.status_of(outcome)
    logs = outcome.get("logs") or ""
    if transitions.finish(session, execution.id, status, outcomes.result_of(outcome), logs,
                          row=execution):
        return execution  # as written
    transitions.keep_logs(session, execution.id, logs)  # it was cancelled meanwhile
    return reloaded(session, execution)


def reloaded(session, execution):
    """The row as committed now (another Nameko worker or replica may have changed it)."""
    fresh = session.get(Execution, execution.id, populate_existing=True)
    return fresh if fresh is not None else execution


def _check_runnable(spec):
    if spec["code"]["source"] not in RUNNABLE_SOURCES:
        raise InvalidInput(
            f"{spec['code']['source']} functions are not supported by this orchestrator yet.")


def _on_a_worker(execution, spec, runtime, session, caches, storage, placement, worker_client,
                 active_runs, openstack=None):
    """The outcome of the run on a worker. A worker found dead is dropped; when the request
    never reached it (refused at once: no round trip is added), the run goes to a new worker."""
    body = {
        "execution_id": execution.id, "function_id": spec["id"],
        "function_version": execution.function_version, "entry": spec["entry"],
        "input": execution.input, "timeout": spec["timeout"], "cpu": spec["cpu"],
        "memory_size": spec["memory_size"],
        "package_url": caches.package_urls.get(spec["package_key"], storage.sign_url),
        "package_sha256": spec.get("package_sha256"),
        "package_md5": spec.get("package_md5"),
    }
    if openstack is not None:
        body["openstack"] = openstack
    for _ in range(DEAD_WORKER_ATTEMPTS):
        outcome, dead = _send(execution, spec, runtime, body, session, placement,
                              worker_client, active_runs)
        if not (dead and outcome.get("unreached")):
            break
    return outcomes.worker_died(outcome) if dead and not outcome.get("unreached") else outcome


def _send(execution, spec, runtime, body, session, placement, worker_client, active_runs):
    """``(outcome, whether the worker turned out dead)`` of one request to a worker."""
    with placement.worker_for(runtime, spec["id"], execution.function_version,
                              Limits.of(spec)) as worker:
        if not active_runs.start(execution.id, worker.url):
            return outcomes.cancelled(), False
        if not execution.sync and not transitions.mark_sent(session, execution.id, worker.url,
                                                            row=execution):
            active_runs.end(execution.id)  # it ended meanwhile (cancelled): send nothing
            return outcomes.cancelled(), False
        try:
            outcome = worker_client.execute(worker.url, body, spec["timeout"])
        finally:
            active_runs.end(execution.id)
        dead = bool(outcome.get("platform_failure")) and not placement.check_worker(worker)
        return outcome, dead
