"""Runtime RPCs: update (image upgrade rules), delete, pool, and the visible list."""
import pytest
from service_harness import Ports, make_service, spec

from qinling_shared.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from qinling_shared.listing import parse

from qinling_execution import targets
from qinling_nameko.providers import Caller
from qinling_execution.models import Runtime
from qinling_execution.orchestrators.fake import FakeOrchestrator



def query(**params):
    return parse(params)


def set_status(session, runtime, status):
    session.get(Runtime, runtime["id"]).status = status
    session.commit()


def run_once(service, functions, runtime, function_id="f1"):
    functions.add(spec(function_id, runtime_id=runtime["id"]))
    return service.create_execution({"function_id": function_id})


def test_update_name_and_description_only(service, runtime, ports):
    updated = service.update_runtime(runtime["id"], {
        "name": "py", "description": "new", "is_public": False, "trusted": False,
        "status": "error", "project_id": "p9"})
    assert (updated["name"], updated["description"]) == ("py", "new")
    assert (updated["is_public"], updated["trusted"], updated["status"],
            updated["project_id"]) == (True, True, "available", "p1")
    assert updated["image"] == "python3"
    assert service.get_runtime(runtime["id"]) == updated
    assert [c for c in ports.orchestrator.calls if c[0] == "create_pool"] == [
        ("create_pool", (runtime["id"], "python3"))]


def test_update_with_null_values_changes_nothing(service, runtime):
    updated = service.update_runtime(runtime["id"], {"name": None, "image": None})
    assert (updated["name"], updated["image"]) == ("python3", "python3")


def test_update_of_a_runtime_not_available_is_allowed_without_image(service, runtime,
                                                                   session):
    set_status(session, runtime, "error")
    assert service.update_runtime(runtime["id"], {"name": "n"})["name"] == "n"


def test_image_update_upgrades_the_pool(service, runtime, ports):
    updated = service.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime"})
    assert (updated["image"], updated["status"]) == ("openstackqinling/python3-runtime",
                                                     "available")
    assert ports.orchestrator.pools[runtime["id"]] == "openstackqinling/python3-runtime"


@pytest.mark.parametrize("status", ["error", "creating", "upgrading"])
def test_image_update_needs_an_available_runtime(service, runtime, session, status):
    set_status(session, runtime, status)
    with pytest.raises(Conflict, match=f"^Runtime {runtime['id']} is not available.$"):
        service.update_runtime(runtime["id"], {"image": "python3"})


def test_image_update_is_refused_while_a_function_has_workers(service, runtime, functions,
                                                              ports):
    run_once(service, functions, runtime)
    with pytest.raises(Forbidden,
                       match=f"^Runtime {runtime['id']} is still in use by functions.$"):
        service.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime",
                                               "name": "renamed"})
    kept = service.get_runtime(runtime["id"])
    assert (kept["image"], kept["status"], kept["name"]) == ("python3", "available", "python3")
    assert ports.orchestrator.pools[runtime["id"]] == "python3"


def test_the_same_image_is_no_upgrade_even_with_workers(service, runtime, functions, ports):
    run_once(service, functions, runtime)
    assert service.update_runtime(runtime["id"], {"image": "python3"})["status"] == "available"


def test_workers_recorded_by_another_replica_count_too(service, runtime, ports):
    other_replica_worker = FakeOrchestrator().start_worker(
        runtime["id"], "python3", "f9", 0, "f9-0-elsewhere")
    ports.worker_map.add(other_replica_worker)
    with pytest.raises(Forbidden, match="still in use by functions"):
        service.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime"})


def test_image_update_is_allowed_once_the_workers_are_dropped(service, runtime, functions):
    run_once(service, functions, runtime)
    service.forget_function("f1")
    updated = service.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime"})
    assert updated["image"] == "openstackqinling/python3-runtime"


def test_workers_of_another_runtime_do_not_block(service, runtime, functions):
    other = service.create_runtime({"image": "python3"})
    run_once(service, functions, other)
    updated = service.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime"})
    assert updated["status"] == "available"


def test_an_unusable_image_is_refused_and_leaves_the_runtime_as_it_was(service, runtime):
    with pytest.raises(InvalidInput, match="cobol"):
        service.update_runtime(runtime["id"], {"image": "cobol", "name": "renamed"})
    kept = service.get_runtime(runtime["id"])
    assert (kept["image"], kept["status"], kept["name"]) == ("python3", "available", "python3")


def test_a_failed_upgrade_leaves_the_runtime_in_error(service, runtime, ports, monkeypatch):
    def broken(runtime_id, image):
        raise RuntimeError("the cluster is gone")

    monkeypatch.setattr(ports.orchestrator, "create_pool", broken)
    updated = service.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime"})
    assert (updated["status"], updated["image"]) == ("error", "openstackqinling/python3-runtime")


@pytest.mark.parametrize("values, message", [
    ({"image": ""}, "Invalid image: a non-empty string is required."),
    ({"image": 3}, "Invalid image: a string is required."),
    ({"name": ["x"]}, "Invalid name: a string is required."),
    ({"description": "d" * 256}, "Invalid description: at most 255 characters."),
    ([], "Invalid request body: a JSON object is required."),
])
def test_update_refuses_bad_values(service, runtime, values, message):
    with pytest.raises(InvalidInput, match=f"^{message}$"):
        service.update_runtime(runtime["id"], values)


def test_update_of_an_unknown_or_invisible_runtime_is_404(session, ports, functions, service):
    private = service.create_runtime({"image": "python3", "is_public": False})
    other = make_service(session, ports, functions, project="p2")
    for runtime_id in ("nope", private["id"]):
        with pytest.raises(NotFound, match=rf"^Runtime not found \[id={runtime_id}\]$"):
            other.update_runtime(runtime_id, {"name": "x"})


def test_delete_is_refused_while_functions_use_it(service, runtime, functions, ports):
    functions.runtime_users[runtime["id"]] = 2
    with pytest.raises(Forbidden, match=f"^Runtime {runtime['id']} is still in use.$"):
        service.delete_runtime(runtime["id"])
    service.function.count_functions.assert_called_once_with(runtime["id"])
    assert service.get_runtime(runtime["id"])["status"] == "available"
    assert runtime["id"] in ports.orchestrator.pools


def test_delete_removes_the_pool_and_the_row(service, runtime, ports):
    assert service.delete_runtime(runtime["id"]) is None
    assert ("delete_pool", (runtime["id"],)) in ports.orchestrator.calls
    assert runtime["id"] not in ports.orchestrator.pools
    with pytest.raises(NotFound):
        service.get_runtime(runtime["id"])
    assert service.list_runtimes() == []


def test_delete_of_an_unknown_runtime_is_404(service):
    with pytest.raises(NotFound, match=r"^Runtime not found \[id=nope\]$"):
        service.delete_runtime("nope")


def test_pool_counts_the_runtimes_workers(service, runtime, functions):
    assert service.get_runtime_pool(runtime["id"]) == {
        "name": runtime["id"], "capacity": {"total": 0, "available": 0}}
    run_once(service, functions, runtime, "f1")
    run_once(service, functions, runtime, "f2")
    assert service.get_runtime_pool(runtime["id"])["capacity"] == {"total": 2, "available": 0}


def test_pool_of_a_runtime_this_orchestrator_has_not_made_yet_is_empty(session, functions,
                                                                       runtime):
    restarted = make_service(session, Ports(), functions)
    assert restarted.get_runtime_pool(runtime["id"])["capacity"] == {"total": 0, "available": 0}


def test_pool_of_an_unknown_runtime_is_404(service):
    with pytest.raises(NotFound, match=r"^Runtime not found \[id=nope\]$"):
        service.get_runtime_pool("nope")


def test_list_shows_own_and_public_runtimes(session, ports, functions, service):
    public = service.create_runtime({"image": "python3", "name": "public"})
    private = service.create_runtime({"image": "python3", "name": "private",
                                      "is_public": False})
    other = make_service(session, ports, functions, project="p2")
    theirs = other.create_runtime({"image": "python3", "name": "theirs", "is_public": False})
    assert {r["name"] for r in other.list_runtimes()} == {"public", "theirs"}
    assert {r["name"] for r in service.list_runtimes()} == {"public", "private"}
    assert {r["name"] for r in service.list_runtimes(query(is_public="false"))} == {"private"}
    assert [r["id"] for r in service.list_runtimes(query(name="public"))] == [public["id"]]
    with pytest.raises(Forbidden):
        service.list_runtimes(query(all_projects="true"))
    admin = make_service(session, ports, functions, project="admin", admin=True)
    assert {r["id"] for r in admin.list_runtimes(query(all_projects="true"))} == {
        public["id"], private["id"], theirs["id"]}
    assert [r["id"] for r in admin.list_runtimes(query(project_id="p2"))] == [theirs["id"]]


def test_list_runtimes_sorts_pages_and_refuses_unknown_filters(service):
    ids = [service.create_runtime({"image": "python3"})["id"] for _ in range(3)]
    everything = [r["id"] for r in service.list_runtimes(query(sort_dir="desc"))]
    assert sorted(everything) == sorted(ids)
    page = service.list_runtimes(query(sort_dir="desc", limit="1"))
    rest = service.list_runtimes(query(sort_dir="desc", marker=page[0]["id"]))
    assert [r["id"] for r in page + rest] == everything
    with pytest.raises(InvalidInput, match="Invalid filter 'project'"):
        service.list_runtimes({"filters": [["project", "eq", "p1"]]})
    with pytest.raises(InvalidInput, match="Invalid marker"):
        service.list_runtimes(query(marker="nope"))


def test_executions_see_a_runtime_change_of_this_replica_at_once(service, runtime, functions,
                                                                 ports, session):
    run_once(service, functions, runtime)  # the runtime is in the cache now
    service.update_runtime(runtime["id"], {"name": "renamed"})
    service.dispatch.assert_called_with("runtime_updated", {"id": runtime["id"]})
    seen = targets.runtime_view(runtime["id"], Caller("p1", False), ports.caches, session)
    assert seen["name"] == "renamed"  # read again


def test_a_runtime_changed_by_another_replica_is_forgotten_on_its_event(service, runtime,
                                                                       functions, session):
    run_once(service, functions, runtime)  # cached as available
    set_status(session, runtime, "error")  # what another replica committed
    service.on_runtime_updated({"id": runtime["id"]})
    with pytest.raises(Conflict, match="is not available"):
        run_once(service, functions, runtime, "f2")


def test_a_deleted_runtime_is_forgotten_everywhere(service, runtime, ports):
    ports.caches.runtimes.get((runtime["id"],), lambda: {"status": "available"})
    service.delete_runtime(runtime["id"])
    service.dispatch.assert_called_with("runtime_deleted", {"id": runtime["id"]})
    assert ports.caches.runtimes.get((runtime["id"],), lambda: "reloaded") == "reloaded"
