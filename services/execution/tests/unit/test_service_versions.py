"""What an execution runs: versions, aliases, Swift code, and forgetting stale specs/workers."""
import pytest
from nameko.events import BROADCAST, EventHandler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from service_harness import make_service, spec

from qinling_shared.exceptions import Conflict, InvalidInput, NotFound

from qinling_execution.models import Runtime

from qinling_execution.service import ExecutionService


@pytest.fixture
def live(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"]))


@pytest.fixture
def version_1(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"], version=1, entry="v1.main",
                              timeout=9))


def last_payload(ports):
    return ports.worker_client.calls[-1][1]


def spec_loads(service, version=0):
    return [c for c in service.function.get_function_spec.call_args_list
            if c.args == ("f1", version)]


# -- versions -----------------------------------------------------------------------------

def test_a_version_runs_its_own_snapshot_on_its_own_workers(service, ports, live, version_1):
    execution = service.create_execution({"function_id": "f1", "function_version": 1})
    assert (execution["status"], execution["function_version"]) == ("success", 1)
    payload = last_payload(ports)
    assert (payload["entry"], payload["timeout"], payload["function_version"]) == (
        "v1.main", 9, 1)
    assert payload["package_url"].startswith("http://s/p1/f1-1.zip")
    assert len(ports.placement.workers("f1", 1)) == 1
    assert ports.placement.workers("f1", 0) == []


def test_version_specs_are_cached_per_version(service, live, version_1):
    for version in (1, 1, 0, 1):
        service.create_execution({"function_id": "f1", "function_version": version})
    assert len(spec_loads(service, 1)) == 1 and len(spec_loads(service, 0)) == 1


def test_a_missing_version_is_404_and_nothing_is_recorded(service, live):
    with pytest.raises(NotFound, match=r"^FunctionVersion not found \[function_id=f1, "
                                       r"version_number=4\]$"):
        service.create_execution({"function_id": "f1", "function_version": 4})
    assert service.list_executions() == []


@pytest.mark.parametrize("source", ["swift", "image"])
def test_only_package_functions_take_a_version(service, functions, runtime, source):
    functions.add(spec(runtime_id=runtime["id"], source=source))
    with pytest.raises(InvalidInput,
                       match="^Can not specify version for package type function.$"):
        service.create_execution({"function_id": "f1", "function_version": 1})
    assert spec_loads(service, 1) == []


def test_a_version_of_another_projects_function_is_not_found(session, ports, functions,
                                                             live, version_1):
    other = make_service(session, ports, functions, project="p2")
    with pytest.raises(NotFound, match=r"^Function not found \[id=f1\]$"):
        other.create_execution({"function_id": "f1", "function_version": 1})


def test_a_version_snapshot_on_an_unavailable_runtime_is_409(service, admin, session,
                                                            functions, live):
    other = admin.create_runtime({"image": "python3"})
    session.get(Runtime, other["id"]).status = "error"
    session.commit()
    functions.add(spec(runtime_id=other["id"], version=2))
    with pytest.raises(Conflict, match=f"^Runtime {other['id']} is not available.$"):
        service.create_execution({"function_id": "f1", "function_version": 2})


# -- aliases ------------------------------------------------------------------------------

def test_an_alias_runs_its_target_and_is_recorded(service, ports, functions, live, version_1):
    functions.aliases["prod"] = ("f1", 1)
    execution = service.create_execution({"function_alias": "prod"})
    assert (execution["function_id"], execution["function_version"],
            execution["function_alias"]) == ("f1", 1, "prod")
    assert last_payload(ports)["entry"] == "v1.main"
    assert service.get_execution(execution["id"])["function_alias"] == "prod"


def test_an_alias_wins_over_a_function_id(service, ports, functions, live, version_1):
    functions.aliases["prod"] = ("f1", 1)
    execution = service.create_execution({"function_alias": "prod", "function_id": "other",
                                          "function_version": 7})
    assert (execution["function_id"], execution["function_version"]) == ("f1", 1)


def test_alias_resolution_is_cached_until_the_alias_is_updated(service, ports, functions,
                                                               live, version_1):
    functions.aliases["prod"] = ("f1", 0)
    for _ in range(2):
        service.create_execution({"function_alias": "prod"})
    service.function.resolve_alias.assert_called_once_with("prod")
    functions.aliases["prod"] = ("f1", 1)
    assert service.create_execution({"function_alias": "prod"})["function_version"] == 0
    service.on_alias_updated({"name": "prod", "project_id": "p1"})
    execution = service.create_execution({"function_alias": "prod"})
    assert execution["function_version"] == 1
    assert last_payload(ports)["entry"] == "v1.main"


def test_a_deleted_alias_is_not_found_after_the_event(service, functions, live):
    functions.aliases["prod"] = ("f1", 0)
    service.create_execution({"function_alias": "prod"})
    del functions.aliases["prod"]
    service.on_alias_deleted({"name": "prod", "project_id": "p1"})
    with pytest.raises(NotFound, match=r"^FunctionAlias not found \[name=prod\]$"):
        service.create_execution({"function_alias": "prod"})


def test_alias_events_only_drop_their_alias(service, functions, live):
    functions.aliases.update({"a": ("f1", 0), "b": ("f1", 0)})
    service.create_execution({"function_alias": "a"})
    service.create_execution({"function_alias": "b"})
    service.on_alias_updated({"name": "a", "project_id": "p1"})
    service.create_execution({"function_alias": "a"})
    service.create_execution({"function_alias": "b"})
    assert [c.args for c in service.function.resolve_alias.call_args_list] == [
        ("a",), ("b",), ("a",)]


def test_alias_cache_is_per_project(session, ports, functions, service, live):
    functions.aliases["prod"] = ("f1", 0)
    service.create_execution({"function_alias": "prod"})
    other = make_service(session, ports, functions, project="p2")
    with pytest.raises(NotFound, match=r"Function not found \[id=f1\]"):
        other.create_execution({"function_alias": "prod"})
    assert service.function.resolve_alias.call_count == 1
    assert other.function.resolve_alias.call_count == 1


# -- Swift-sourced code -------------------------------------------------------------------

def test_a_swift_function_runs_with_its_md5(service, ports, functions, runtime):
    functions.add(spec(runtime_id=runtime["id"], source="swift", package_key="swift/c/o.zip",
                       package_sha256=None, package_md5="a" * 32))
    execution = service.create_execution({"function_id": "f1"})
    assert execution["status"] == "success"
    payload = last_payload(ports)
    assert payload["package_url"].startswith("http://s/swift/c/o.zip")
    assert (payload["package_md5"], payload["package_sha256"]) == ("a" * 32, None)


# -- forgetting -----------------------------------------------------------------------------

def test_the_next_execution_after_forget_function_runs_the_new_code(service, ports,
                                                                    functions, live):
    service.create_execution({"function_id": "f1"})
    old_worker = ports.placement.workers("f1", 0)[0]
    functions.add(spec(runtime_id=live["runtime_id"], entry="new.main",
                       package_key="p1/f1-new.zip", package_sha256="n" * 64))
    service.forget_function("f1")
    assert old_worker.name not in ports.orchestrator.workers
    assert ports.worker_map.for_function("f1", 0) == []
    service.create_execution({"function_id": "f1"})
    payload = last_payload(ports)
    assert (payload["entry"], payload["package_sha256"]) == ("new.main", "n" * 64)
    assert payload["package_url"].startswith("http://s/p1/f1-new.zip")
    assert ports.placement.workers("f1", 0)[0].name != old_worker.name


def test_an_update_landing_while_the_spec_loads_does_not_leave_it_cached(service, ports,
                                                                          functions, live):
    def load_then_update(function_id, version):
        loaded = functions.get_function_spec(function_id, version)
        functions.add(spec(runtime_id=live["runtime_id"], entry="new.main"))
        service.forget_function(function_id)  # the function service's call after its commit
        return loaded

    service.function.get_function_spec.side_effect = load_then_update
    service.create_execution({"function_id": "f1"})
    assert last_payload(ports)["entry"] == "main.main"  # began before the update
    service.function.get_function_spec.side_effect = functions.get_function_spec
    service.create_execution({"function_id": "f1"})
    assert last_payload(ports)["entry"] == "new.main"


def test_forget_function_drops_every_versions_spec_but_only_version_0_workers(
        service, ports, live, version_1):
    for version in (0, 1):
        service.create_execution({"function_id": "f1", "function_version": version})
    service.forget_function("f1")
    assert ports.placement.workers("f1", 0) == []
    assert len(ports.placement.workers("f1", 1)) == 1
    service.create_execution({"function_id": "f1", "function_version": 1})
    assert len(spec_loads(service, 1)) == 2


def test_forget_function_leaves_other_functions_alone(service, ports, functions, live):
    functions.add(spec("f2", runtime_id=live["runtime_id"]))
    service.create_execution({"function_id": "f2"})
    service.forget_function("f1")
    assert len(ports.placement.workers("f2", 0)) == 1
    service.create_execution({"function_id": "f2"})
    service.function.get_function_spec.assert_called_once_with("f2", 0)


def test_function_updated_event_forgets(service, ports, functions, live):
    service.create_execution({"function_id": "f1"})
    functions.add(spec(runtime_id=live["runtime_id"], entry="new.main"))
    service.on_function_updated({"id": "f1"})
    assert ports.placement.workers("f1", 0) == []
    service.create_execution({"function_id": "f1"})
    assert last_payload(ports)["entry"] == "new.main"


def test_function_deleted_event_stops_every_versions_workers(service, ports, live, version_1):
    for version in (0, 1):
        service.create_execution({"function_id": "f1", "function_version": version})
    service.on_function_deleted({"id": "f1"})
    assert ports.placement.workers("f1", 0) == ports.placement.workers("f1", 1) == []
    assert ports.worker_map.all() == [] and ports.orchestrator.workers == {}


def test_version_deleted_event_drops_that_version_only(service, ports, functions, live,
                                                       version_1):
    for version in (0, 1):
        service.create_execution({"function_id": "f1", "function_version": version})
    del functions.specs[("f1", 1)]
    service.on_version_deleted({"function_id": "f1", "version": 1})
    assert ports.placement.workers("f1", 1) == []
    assert len(ports.placement.workers("f1", 0)) == 1
    with pytest.raises(NotFound, match="FunctionVersion not found"):
        service.create_execution({"function_id": "f1", "function_version": 1})


def test_a_worker_dropped_mid_execution_is_stopped_when_it_finishes(service, ports, live):
    seen = {}

    def respond(url, payload):
        service.forget_function("f1")  # an update lands while this execution runs
        seen["still_running"] = [w.url for w in ports.orchestrator.workers.values()]
        return {"output": "done", "success": True, "duration": 0.1, "logs": ""}

    ports.worker_client.respond = respond
    execution = service.create_execution({"function_id": "f1"})
    assert execution["status"] == "success"
    assert seen["still_running"] == [ports.worker_client.calls[0][0]]
    assert ports.orchestrator.workers == {}


@pytest.mark.parametrize("method", ["on_function_updated", "on_function_deleted",
                                    "on_version_deleted", "on_alias_updated",
                                    "on_alias_deleted"])
def test_cache_events_reach_every_replica(method):
    handlers = [e for e in getattr(getattr(ExecutionService, method),
                                   ENTRYPOINT_EXTENSIONS_ATTR)
                if isinstance(e, EventHandler)]
    assert [(h.source_service, h.handler_type, h.reliable_delivery) for h in handlers] == [
        ("function", BROADCAST, False)]
