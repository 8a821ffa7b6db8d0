"""Asynchronous executions on worker_factory: queued before the call returns, run by the
consumer, retried after platform failures only, recorded once, swept when left behind."""
import datetime

import pytest
from service_harness import spec

from qinling_shared.exceptions import Unavailable

from qinling_execution import executions, sweeper
from qinling_execution.models import Execution

BROKEN_WORKER = {"output": "Function execution failed.", "success": False, "duration": 0,
                 "logs": "The worker at http://w failed: connection reset",
                 "platform_failure": True}


@pytest.fixture
def function(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"]))


def submit(service, **fields):
    execution = service.create_execution({"function_id": "f1", "sync": False, **fields})
    (message,) = service.execution_queue.take()
    return execution, message


def run_until_no_retry_is_queued(service):
    """Submit an execution and consume its messages, retries included; the execution."""
    execution, message = submit(service)
    while message is not None:
        service.run_queued(message)
        taken = service.execution_queue.take()
        message = taken[0] if taken else None
    return execution


def test_accepted_means_committed_and_queued(service, function, session):
    execution, message = submit(service, input='{"a": 1}')
    assert execution["status"] == "running" and execution["result"] == {}
    assert message == {"execution_id": execution["id"], "retries": 0}
    row = session.get(Execution, execution["id"], populate_existing=True)
    assert row.queued is True and row.deadline_at is None


def test_a_broker_failure_refuses_the_execution_and_keeps_nothing(service, function):
    service.execution_queue.fail_with = ConnectionRefusedError("broker down")
    with pytest.raises(Unavailable, match="could not be queued"):
        service.create_execution({"function_id": "f1", "sync": False})
    assert service.list_executions() == []


def test_the_consumer_runs_it_and_a_redelivery_changes_nothing(service, function, ports):
    execution, message = submit(service, input='{"a": 1}')
    service.run_queued(message)
    done = service.get_execution(execution["id"])
    assert (done["status"], done["result"]["output"]) == ("success", {"a": 1})
    service.run_queued(message)  # the same message again, e.g. redelivered after a crash
    assert len(ports.worker_client.calls) == 1
    assert service.get_execution(execution["id"]) == done


def test_a_function_that_failed_is_not_retried(service, function, ports):
    ports.worker_client.respond = lambda url, payload: {
        "output": "boom", "success": False, "duration": 0.1, "logs": "Traceback"}
    execution, message = submit(service)
    service.run_queued(message)
    assert service.get_execution(execution["id"])["status"] == "failed"
    assert service.execution_queue.messages == []


def test_a_platform_failure_is_retried_after_a_backoff_then_succeeds(service, function, ports):
    answers = [BROKEN_WORKER, BROKEN_WORKER]
    ports.worker_client.respond = lambda url, payload: (
        answers.pop(0) if answers else {"output": "ok", "success": True, "duration": 0.1,
                                        "logs": "fine\n"})
    execution, message = submit(service)
    service.run_queued(message)
    assert service.execution_queue.messages == [
        ("delay-1000", {"execution_id": execution["id"], "retries": 1})]
    waiting = service.get_execution(execution["id"])
    assert waiting["status"] == "running"
    assert service.get_execution_log(execution["id"]).endswith("Retry 1 of 3 in 1 s.\n")
    (retry,) = service.execution_queue.take()
    service.run_queued(retry)
    assert service.execution_queue.messages[0][0] == "delay-2000"
    service.run_queued(service.execution_queue.take()[0])
    done = service.get_execution(execution["id"])
    assert (done["status"], done["result"]["output"]) == ("success", "ok")
    assert service.get_execution_log(execution["id"]) == "fine\n"


def test_when_retries_run_out_the_execution_is_kept_as_an_error(service, function, ports,
                                                                 session):
    ports.worker_client.respond = lambda url, payload: BROKEN_WORKER
    execution = run_until_no_retry_is_queued(service)
    done = service.get_execution(execution["id"])
    assert (done["status"], done["result"]["output"]) == ("error", "Function execution failed.")
    log = service.get_execution_log(execution["id"])
    assert "connection reset" in log and log.endswith("Gave up after 3 retries.\n")
    assert len(ports.worker_client.calls) == 4
    assert session.get(Execution, execution["id"], populate_existing=True).attempts == 3


def test_a_worker_that_cannot_start_is_a_platform_failure(service, function, ports):
    ports.orchestrator.fail_next_start("Worker did not answer /ping.")
    execution, message = submit(service)
    service.run_queued(message)
    assert service.execution_queue.messages[0][1]["retries"] == 1
    service.run_queued(service.execution_queue.take()[0])
    assert service.get_execution(execution["id"])["status"] == "success"


@pytest.mark.parametrize("max_retries, runs", [(0, 1), (1, 2)])
def test_the_functions_own_maximum_applies(service, functions, runtime, ports, max_retries,
                                           runs):
    functions.add(spec(runtime_id=runtime["id"], max_retries=max_retries))
    ports.worker_client.respond = lambda url, payload: BROKEN_WORKER
    execution = run_until_no_retry_is_queued(service)
    assert service.get_execution(execution["id"])["status"] == "error"
    assert len(ports.worker_client.calls) == runs


def test_a_message_of_a_cancelled_or_deleted_execution_is_dropped(service, function, ports):
    cancelled, first = submit(service)
    deleted, second = submit(service)
    service.cancel_execution(cancelled["id"])
    service.delete_execution(deleted["id"])
    service.run_queued(first)
    service.run_queued(second)
    assert ports.worker_client.calls == []
    assert service.get_execution(cancelled["id"])["status"] == "cancelled"


@pytest.mark.parametrize("body", [None, {"execution_id": 3}, {"execution_id": "x", "retries": -2}])
def test_a_malformed_message_is_dropped(service, body, ports):
    assert service.run_queued(body) is None
    assert ports.worker_client.calls == []


def age(session, execution_id, seconds):
    row = session.get(Execution, execution_id)
    row.created_at -= datetime.timedelta(seconds=seconds)
    if row.deadline_at is not None:
        row.deadline_at -= datetime.timedelta(seconds=seconds)
    session.commit()


def test_the_sweep_queues_accepted_executions_that_were_never_queued(service, function,
                                                                     session):
    service.execution_queue.fail_with = None
    execution, _ = submit(service)
    recent, _ = submit(service)
    for execution_id in (execution["id"], recent["id"]):  # as if the service died in between
        session.get(Execution, execution_id).queued = False
    session.commit()
    age(session, execution["id"], sweeper.UNQUEUED_GRACE + 1)
    service.sweep_executions()
    assert service.execution_queue.take() == [{"execution_id": execution["id"], "retries": 0}]
    assert session.get(Execution, execution["id"], populate_existing=True).queued is True
    service.sweep_executions()
    assert service.execution_queue.take() == []


def test_the_sweep_ends_synchronous_executions_left_past_their_deadline(service, function,
                                                                         session):
    stuck = Execution(id="stuck", project_id="p1", function_id="f1", status="running",
                      sync=True, deadline_at=datetime.datetime(2000, 1, 1))
    session.add(stuck)
    session.commit()
    finished = service.create_execution({"function_id": "f1"})
    age(session, finished["id"], 3600)
    service.sweep_executions()
    swept = service.get_execution("stuck")
    assert (swept["status"], swept["result"]["output"]) == ("error", "Function execution failed.")
    assert "stopped before it ended" in service.get_execution_log("stuck")
    assert service.get_execution(finished["id"])["status"] == "success"


def test_a_sync_execution_has_a_deadline_from_its_function_timeout(service, functions, runtime,
                                                                   session):
    functions.add(spec(runtime_id=runtime["id"], timeout=120))
    execution = service.create_execution({"function_id": "f1"})
    row = session.get(Execution, execution["id"])
    allowed = (row.deadline_at - row.created_at).total_seconds()
    assert 120 + executions.DEADLINE_SLACK - 1 <= allowed <= 120 + executions.DEADLINE_SLACK + 1


def test_a_version_uses_the_live_functions_maximum(service, functions, runtime, ports):
    functions.add(spec(runtime_id=runtime["id"], max_retries=0))
    functions.add(spec(runtime_id=runtime["id"], version=1))
    ports.worker_client.respond = lambda url, payload: BROKEN_WORKER
    execution, message = submit(service, function_version=1)
    service.run_queued(message)
    assert service.execution_queue.messages == []
    assert service.get_execution(execution["id"])["status"] == "error"


class ConsumerDied(BaseException):
    """What a consumer that stops in the middle of a run looks like from the outside: the
    handler never returns, so the message is not acked and comes back."""


def test_a_message_that_keeps_interrupting_its_consumer_is_given_up(service, function, ports):
    def die(url, payload):
        raise ConsumerDied()
    ports.worker_client.respond = die
    execution, message = submit(service)
    for _ in range(4):  # the first take, then three interruptions are tolerated
        with pytest.raises(ConsumerDied):
            service.run_queued(message)
        assert service.get_execution(execution["id"])["status"] == "running"
    service.run_queued(message)  # taken a fifth time: given up, not run again
    assert len(ports.worker_client.calls) == 4
    done = service.get_execution(execution["id"])
    assert (done["status"], done["result"]["output"]) == ("error", "Function execution failed.")
    assert "interrupted 4 times" in service.get_execution_log(execution["id"])


def test_an_interrupted_run_is_taken_again_and_completes(service, function, ports):
    answers = [ConsumerDied()]

    def respond(url, payload):
        if answers:
            raise answers.pop()
        return {"output": "ok", "success": True, "duration": 0.1, "logs": ""}
    ports.worker_client.respond = respond
    execution, message = submit(service)
    with pytest.raises(ConsumerDied):
        service.run_queued(message)
    service.run_queued(message)  # redelivered after the crash
    assert service.get_execution(execution["id"])["status"] == "success"
