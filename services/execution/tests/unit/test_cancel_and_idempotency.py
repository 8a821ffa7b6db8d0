"""Cancelling executions and Idempotency-Key, on worker_factory with a fake worker."""
import pytest
from service_harness import make_service, spec

from qinling_shared.exceptions import Conflict, InvalidInput, NotFound

from qinling_execution import executions
from qinling_execution.active_runs import ActiveRuns
from qinling_execution.models import Execution

KILLED = {"output": "Function execution failed because of too much resource consumption",
          "success": False, "duration": 0.2, "logs": "Start execution: e\n"}


@pytest.fixture
def function(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"]))


def test_a_queued_execution_is_cancelled_and_the_replicas_are_told(service, function):
    execution = service.create_execution({"function_id": "f1", "sync": False})
    cancelled = service.cancel_execution(execution["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["result"]["output"] == "Function execution cancelled."
    service.dispatch.assert_called_once_with("execution_cancelled", {"id": execution["id"]})
    assert service.get_execution(execution["id"]) == cancelled


def test_an_ended_execution_cannot_be_cancelled(service, function):
    execution = service.create_execution({"function_id": "f1"})
    with pytest.raises(Conflict, match=f"Execution {execution['id']} has already ended: "
                                       "success."):
        service.cancel_execution(execution["id"])
    assert service.get_execution(execution["id"])["status"] == "success"
    service.dispatch.assert_not_called()


def test_a_cancelled_execution_cannot_be_cancelled_again(service, function):
    execution = service.create_execution({"function_id": "f1", "sync": False})
    service.cancel_execution(execution["id"])
    with pytest.raises(Conflict, match="has already ended: cancelled."):
        service.cancel_execution(execution["id"])


def test_another_projects_execution_is_not_found(service, session, ports, functions, function):
    execution = service.create_execution({"function_id": "f1", "sync": False})
    other = make_service(session, ports, functions, project="p2")
    with pytest.raises(NotFound, match=r"Execution not found"):
        other.cancel_execution(execution["id"])
    assert service.get_execution(execution["id"])["status"] == "running"


def test_a_run_cancelled_on_its_worker_stays_cancelled_and_keeps_its_logs(
        session, ports, functions, function):
    active_runs = ActiveRuns()
    service = make_service(session, ports, functions, active_runs=active_runs)
    canceller = make_service(session, ports, functions,  # another Nameko worker
                             active_runs=active_runs)

    def respond(url, payload):  # the worker is running it when the cancel comes
        canceller.cancel_execution(payload["execution_id"])
        canceller.on_execution_cancelled({"id": payload["execution_id"]})
        return KILLED

    ports.worker_client.respond = respond
    execution = service.create_execution({"function_id": "f1"})
    assert execution["status"] == "cancelled"
    assert execution["result"]["output"] == "Function execution cancelled."
    ((url, _),) = ports.worker_client.calls
    assert ports.worker_client.cancelled == [(url, execution["id"])]
    assert service.get_execution_log(execution["id"]) == "Start execution: e\n"
    assert execution["id"] not in active_runs


def test_a_run_cancelled_before_it_reached_a_worker_does_not_start(session, ports, functions,
                                                                    function):
    active_runs = ActiveRuns()
    service = make_service(session, ports, functions, active_runs=active_runs)
    execution = service.create_execution({"function_id": "f1", "sync": False})
    (message,) = service.execution_queue.take()
    service.on_execution_cancelled({"id": execution["id"]})  # heard before the run started
    service.run_queued(message)
    assert ports.worker_client.calls == []


def test_active_runs_remember_a_bounded_number_of_early_cancels():
    active_runs = ActiveRuns(remember=2)
    for execution_id in ("a", "b", "c"):
        assert active_runs.cancel(execution_id) is None
    assert active_runs.start("a", "http://w") is True   # forgotten: the oldest went first
    assert active_runs.start("c", "http://w") is False
    assert active_runs.cancel("a") == "http://w"
    active_runs.end("a")
    assert "a" not in active_runs


def test_a_repeated_idempotency_key_returns_the_first_execution(service, function, ports):
    first = service.create_execution({"function_id": "f1", "input": "1"}, "key-1")
    again = service.create_execution({"function_id": "f1", "input": "2"}, "key-1")
    assert again == first
    assert len(ports.worker_client.calls) == 1
    other = service.create_execution({"function_id": "f1"}, "key-2")
    assert other["id"] != first["id"]


def test_idempotency_keys_are_per_project(service, session, ports, functions, function):
    first = service.create_execution({"function_id": "f1"}, "key-1")
    admin = make_service(session, ports, functions, project="p2", admin=True)
    theirs = admin.create_execution({"function_id": "f1"}, "key-1")
    assert theirs["id"] != first["id"]


def test_a_repeated_async_execution_is_queued_once(service, function):
    first = service.create_execution({"function_id": "f1", "sync": False}, "k")
    again = service.create_execution({"function_id": "f1", "sync": False}, "k")
    assert again["id"] == first["id"]
    assert len(service.execution_queue.take()) == 1


def test_a_repeat_racing_the_first_gets_the_first(service, function, session, monkeypatch):
    racer = Execution(id="first", project_id="p1", function_id="f1", status="success",
                      sync=True, idempotency_key="k", result={"output": 1, "duration": 0})
    lookup = executions._by_key
    missed = []

    def missing_once(session, caller, key, request_key):  # the racer commits in between
        if not missed:
            missed.append(key)
            session.add(racer)
            session.commit()
            return None
        return lookup(session, caller, key, request_key)

    monkeypatch.setattr(executions, "_by_key", missing_once)
    assert service.create_execution({"function_id": "f1"}, "k")["id"] == "first"
    assert [e["id"] for e in service.list_executions()] == ["first"]


@pytest.mark.parametrize("key", ["x" * 256, "tab\tkey", "clé", 5])
def test_a_bad_idempotency_key_is_refused(service, function, key):
    with pytest.raises(InvalidInput, match="Invalid Idempotency-Key"):
        service.create_execution({"function_id": "f1"}, key)


def test_an_empty_idempotency_key_is_none(service, function):
    first = service.create_execution({"function_id": "f1"}, "")
    second = service.create_execution({"function_id": "f1"}, "")
    assert first["id"] != second["id"]
