"""The execution service's execution RPCs with worker_factory, a fake orchestrator and worker."""
import json

import pytest
from service_harness import make_service, spec

from qinling_shared.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from qinling_shared.listing import parse

from qinling_execution.models import Runtime


def query(**params):
    return parse(params)


def test_runtime_created_available_and_listed(service, runtime, ports):
    assert runtime["status"] == "available" and runtime["is_public"] is True
    assert [r["id"] for r in service.list_runtimes()] == [runtime["id"]]
    assert ("create_pool", (runtime["id"], "python3")) in ports.orchestrator.calls


def test_unknown_runtime_image_is_refused_and_not_kept(admin):
    with pytest.raises(InvalidInput):
        admin.create_runtime({"image": "cobol"})
    assert admin.list_runtimes() == []


def test_missing_runtime(service):
    with pytest.raises(NotFound, match=r"Runtime not found \[id=nope\]"):
        service.get_runtime("nope")


def test_sync_execution_runs_on_a_worker(service, runtime, ports, functions):
    functions.add(spec(runtime_id=runtime["id"]))
    execution = service.create_execution({"function_id": "f1", "input": '{"a": 1}'})
    assert execution["status"] == "success"
    assert execution["result"]["output"] == {"a": 1}
    assert execution["input"] == json.dumps({"a": 1})
    assert (execution["function_version"], execution["function_alias"]) == (0, None)
    url, payload = ports.worker_client.calls[0]
    assert payload["package_url"].startswith("http://s/p1/f1-0.zip")
    assert payload["package_sha256"] == "s" * 64 and payload["entry"] == "main.main"
    assert "Start execution" in service.get_execution_log(execution["id"])
    assert len(ports.worker_map.for_function("f1", 0)) == 1


def test_a_positional_input_is_sent_as_qinling_stores_it_and_shown_raw(service, runtime, ports,
                                                                       functions):
    functions.add(spec(runtime_id=runtime["id"]))
    execution = service.create_execution({"function_id": "f1", "input": "Qinling"})
    assert ports.worker_client.calls[0][1]["input"] == {"__function_input": "Qinling"}
    assert execution["input"] == "Qinling"
    assert service.get_execution(execution["id"])["input"] == "Qinling"


def test_a_function_or_an_alias_is_required(service, runtime):
    with pytest.raises(InvalidInput,
                       match="^Either function_alias or function_id must be provided.$"):
        service.create_execution({"input": "x"})
    assert service.list_executions() == []


def test_spec_and_url_are_cached(service, runtime, ports, functions):
    functions.add(spec(runtime_id=runtime["id"]))
    for _ in range(3):
        service.create_execution({"function_id": "f1"})
    service.function.get_function_spec.assert_called_once_with("f1", 0)
    assert service.storage.sign_url.call_count == 1
    assert len(ports.placement.workers("f1", 0)) == 1


def test_failed_function_is_failed(service, runtime, ports, functions):
    ports.worker_client.respond = lambda url, payload: {
        "output": "boom", "success": False, "duration": 0.1, "logs": "Traceback"}
    functions.add(spec(runtime_id=runtime["id"]))
    execution = service.create_execution({"function_id": "f1"})
    assert execution["status"] == "failed" and execution["result"]["output"] == "boom"


def test_worker_that_cannot_start_gives_error(service, runtime, ports, functions):
    ports.orchestrator.fail_next_start("Worker did not answer /ping.")
    functions.add(spec(runtime_id=runtime["id"]))
    execution = service.create_execution({"function_id": "f1"})
    assert execution["status"] == "error"
    assert execution["result"]["output"] == "Function execution failed."
    assert "Worker did not answer" in service.get_execution_log(execution["id"])


def test_other_projects_function_is_not_found(session, ports, functions, runtime):
    other = make_service(session, ports, functions, project="p2")
    functions.add(spec(runtime_id=runtime["id"]))
    with pytest.raises(NotFound, match=r"Function not found \[id=f1\]"):
        other.create_execution({"function_id": "f1"})


def test_missing_function_is_not_found_and_nothing_is_recorded(service, runtime):
    with pytest.raises(NotFound, match=r"Function not found \[id=nope\]"):
        service.create_execution({"function_id": "nope"})
    assert service.list_executions() == []


def test_runtime_not_available_is_409(service, runtime, session, functions):
    session.get(Runtime, runtime["id"]).status = "error"
    session.commit()
    functions.add(spec(runtime_id=runtime["id"]))
    with pytest.raises(Conflict, match=f"Runtime {runtime['id']} is not available."):
        service.create_execution({"function_id": "f1"})


def test_async_execution_is_queued_then_run(service, runtime, functions):
    functions.add(spec(runtime_id=runtime["id"]))
    execution = service.create_execution({"function_id": "f1", "sync": False})
    assert execution["status"] == "running"
    (message,) = service.execution_queue.take()
    assert message == {"execution_id": execution["id"], "retries": 0}
    service.run_queued(message)
    assert service.get_execution(execution["id"])["status"] == "success"


def test_async_execution_of_a_function_deleted_meanwhile_ends_in_error(service, runtime,
                                                                        functions):
    functions.add(spec(runtime_id=runtime["id"]))
    execution = service.create_execution({"function_id": "f1", "sync": False})
    del functions.specs[("f1", 0)]
    service.on_function_deleted({"id": "f1"})
    (message,) = service.execution_queue.take()
    service.run_queued(message)
    assert service.execution_queue.messages == []  # not retried: the function is gone
    done = service.get_execution(execution["id"])
    assert (done["status"], done["result"]["output"]) == ("error", "Function execution failed.")
    assert "Function not found [id=f1]" in service.get_execution_log(execution["id"])


def test_list_filters_and_delete(service, runtime, functions):
    functions.add(spec(runtime_id=runtime["id"]))
    first = service.create_execution({"function_id": "f1", "description": "job-1"})
    second = service.create_execution({"function_id": "f1", "sync": False})
    assert [e["id"] for e in service.list_executions(query(status="success"))] == [first["id"]]
    assert [e["id"] for e in service.list_executions(query(sync="false"))] == [second["id"]]
    assert [e["id"] for e in service.list_executions(query(description="has:job"))] == [
        first["id"]]
    assert service.list_executions(query(status="failed")) == []
    assert len(service.list_executions(query(function_id="f1", function_version="0"))) == 2
    service.delete_execution(first["id"])
    with pytest.raises(NotFound, match=r"Execution not found"):
        service.get_execution(first["id"])


def test_list_sorts_and_pages(service, runtime, functions):
    functions.add(spec(runtime_id=runtime["id"]))
    ids = [service.create_execution({"function_id": "f1"})["id"] for _ in range(3)]
    everything = [e["id"] for e in service.list_executions(query(sort_dir="desc"))]
    assert sorted(everything) == sorted(ids) and len(everything) == 3
    page = service.list_executions(query(sort_dir="desc", limit="2"))
    rest = service.list_executions(query(sort_dir="desc", marker=page[-1]["id"]))
    assert [e["id"] for e in page + rest] == everything


def test_list_is_project_scoped_and_all_projects_is_for_admins(session, ports, functions,
                                                              service, runtime):
    functions.add(spec(runtime_id=runtime["id"]))
    mine = service.create_execution({"function_id": "f1"})
    other = make_service(session, ports, functions, project="p2")
    assert other.list_executions() == []
    with pytest.raises(Forbidden):
        other.list_executions(query(all_projects="true"))
    admin = make_service(session, ports, functions, project="admin", admin=True)
    assert [e["id"] for e in admin.list_executions(query(all_projects="true"))] == [mine["id"]]


@pytest.mark.parametrize("bad, message", [
    ({"filters": [["colour", "eq", "red"]]}, "Invalid filter 'colour'"),
    ({"filters": [["status", "like", "x"]]}, "Invalid filter operator 'like'"),
    ({"filters": [["sync", "gt", "true"]]}, "Invalid filter 'sync': only eq, neq, in and nin"),
    ({"filters": "status=x"}, "Invalid list query."),
    ({"filters": [["status"]]}, "Invalid list query."),
    ("status", "Invalid list query."),
    ({"sort_key": "input"}, "Invalid sort_key 'input'"),
])
def test_list_refuses_a_bad_query(service, bad, message):
    with pytest.raises(InvalidInput, match=message):
        service.list_executions(bad)


def test_workers_of_a_function_are_listed(service, admin, runtime, functions):
    functions.add(spec(runtime_id=runtime["id"]))
    service.create_execution({"function_id": "f1"})
    workers = admin.list_workers("f1", 0)
    assert len(workers) == 1
    assert workers[0]["function_id"] == "f1" and workers[0]["function_version"] == 0
    assert admin.list_workers("f1", 3) == []


def test_workers_of_an_unknown_function_is_404(admin):
    with pytest.raises(NotFound):
        admin.list_workers("nope", 0)
