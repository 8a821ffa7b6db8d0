"""The execution service's RPC methods with worker_factory, a fake orchestrator and worker."""
import json

import pytest
import sqlalchemy as sa
from nameko.testing.services import worker_factory
from sqlalchemy.orm import Session

from qinling_shared.exceptions import Conflict, InvalidInput, NotFound

from qinling_execution.dependencies import Engine
from qinling_execution.models import Base
from qinling_execution.orchestrators.fake import FakeOrchestrator
from qinling_execution.service import ExecutionService
from qinling_execution.worker_client import FakeWorkerClient
from qinling_execution.workers import FakeEtcd, WorkerMap


@pytest.fixture
def session():
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def engine():
    return Engine(FakeOrchestrator(), WorkerMap(FakeEtcd()), 3, FakeWorkerClient())


def make(session, engine, project="p1", admin=False):
    svc = worker_factory(ExecutionService, db=session, engine=engine, project_id=project,
                         is_admin=admin)
    svc.storage.sign_url.side_effect = lambda key: f"http://s/{key}?expires=99999999999"
    return svc


@pytest.fixture
def service(session, engine):
    return make(session, engine)


def spec(function_id="f1", project="p1", runtime_id=None, source="package"):
    return {"id": function_id, "project_id": project, "runtime_id": runtime_id,
            "entry": "main.main", "cpu": 100, "memory_size": 33554432, "timeout": 5,
            "code": {"source": source}, "package_key": "p1/a.zip", "package_sha256": "s" * 64}


@pytest.fixture
def runtime(service):
    return service.create_runtime({"image": "python3", "name": "python3"})


def test_runtime_created_available_and_listed(service, runtime, engine):
    assert runtime["status"] == "available" and runtime["is_public"] is True
    assert [r["id"] for r in service.list_runtimes()] == [runtime["id"]]
    assert ("create_pool", (runtime["id"], "python3")) in engine.orchestrator.calls


def test_unknown_runtime_image_is_refused_and_not_kept(service):
    with pytest.raises(InvalidInput):
        service.create_runtime({"image": "cobol"})
    assert service.list_runtimes() == []


def test_missing_runtime(service):
    with pytest.raises(NotFound, match=r"Runtime not found \[id=nope\]"):
        service.get_runtime("nope")


def test_sync_execution_runs_on_a_worker(service, runtime, engine):
    service.function.get_function_spec.return_value = spec(runtime_id=runtime["id"])
    execution = service.create_execution({"function_id": "f1", "input": '{"a": 1}'})
    assert execution["status"] == "success"
    assert execution["result"]["output"] == {"a": 1}
    assert execution["input"] == json.dumps({"a": 1})
    url, payload = engine.worker_client.calls[0]
    assert payload["package_url"].startswith("http://s/p1/a.zip")
    assert payload["package_sha256"] == "s" * 64 and payload["entry"] == "main.main"
    assert "Start execution" in service.get_execution_log(execution["id"])
    assert len(engine.worker_map.for_function("f1", 0)) == 1


def test_spec_and_url_are_cached(service, runtime, engine):
    service.function.get_function_spec.return_value = spec(runtime_id=runtime["id"])
    for _ in range(3):
        service.create_execution({"function_id": "f1"})
    assert service.function.get_function_spec.call_count == 1
    assert service.storage.sign_url.call_count == 1
    assert len(engine.placement.workers("f1", 0)) == 1


def test_function_update_drops_spec_and_workers(service, runtime, engine):
    service.function.get_function_spec.return_value = spec(runtime_id=runtime["id"])
    service.create_execution({"function_id": "f1"})
    service.on_function_updated({"id": "f1"})
    assert engine.placement.workers("f1", 0) == []
    assert engine.worker_map.for_function("f1", 0) == []
    service.create_execution({"function_id": "f1"})
    assert service.function.get_function_spec.call_count == 2


def test_failed_function_is_failed(service, runtime, engine):
    engine.worker_client.respond = lambda url, payload: {
        "output": "boom", "success": False, "duration": 0.1, "logs": "Traceback"}
    service.function.get_function_spec.return_value = spec(runtime_id=runtime["id"])
    execution = service.create_execution({"function_id": "f1"})
    assert execution["status"] == "failed" and execution["result"]["output"] == "boom"


def test_worker_that_cannot_start_gives_error(service, runtime, engine):
    engine.orchestrator.fail_next_start("Worker did not answer /ping.")
    service.function.get_function_spec.return_value = spec(runtime_id=runtime["id"])
    execution = service.create_execution({"function_id": "f1"})
    assert execution["status"] == "error"
    assert execution["result"]["output"] == "Function execution failed."
    assert "Worker did not answer" in service.get_execution_log(execution["id"])


def test_other_projects_function_is_not_found(session, engine, runtime):
    other = make(session, engine, project="p2")
    other.function.get_function_spec.return_value = spec(runtime_id=runtime["id"])
    with pytest.raises(NotFound, match=r"Function not found \[id=f1\]"):
        other.create_execution({"function_id": "f1"})


def test_runtime_not_available_is_409(service, runtime, session):
    from qinling_execution.models import Runtime
    session.get(Runtime, runtime["id"]).status = "error"
    session.commit()
    service.function.get_function_spec.return_value = spec(runtime_id=runtime["id"])
    with pytest.raises(Conflict, match=f"Runtime {runtime['id']} is not available."):
        service.create_execution({"function_id": "f1"})


def test_async_execution_is_handed_to_run_execution(service, runtime):
    service.function.get_function_spec.return_value = spec(runtime_id=runtime["id"])
    execution = service.create_execution({"function_id": "f1", "sync": False})
    assert execution["status"] == "running"
    service.myself.run_execution.call_async.assert_called_once_with(execution["id"])
    service.run_execution(execution["id"])
    assert service.get_execution(execution["id"])["status"] == "success"


def test_list_filters_and_delete(service, runtime):
    service.function.get_function_spec.return_value = spec(runtime_id=runtime["id"])
    first = service.create_execution({"function_id": "f1"})
    assert [e["id"] for e in service.list_executions({"status": "success"})] == [first["id"]]
    assert service.list_executions({"status": "failed"}) == []
    with pytest.raises(InvalidInput, match="Invalid filter 'colour'"):
        service.list_executions({"colour": "red"})
    service.delete_execution(first["id"])
    with pytest.raises(NotFound, match=r"Execution not found"):
        service.get_execution(first["id"])


def test_image_function_fails_clearly(service, runtime):
    service.function.get_function_spec.return_value = spec(source="image")
    execution = service.create_execution({"function_id": "f1"})
    assert execution["status"] == "error"
    assert "not supported" in service.get_execution_log(execution["id"])
