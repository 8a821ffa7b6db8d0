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


def run_once(admin, functions, runtime, function_id="f1"):
    functions.add(spec(function_id, runtime_id=runtime["id"]))
    return admin.create_execution({"function_id": function_id})


def test_update_name_and_description_only(admin, runtime, ports):
    updated = admin.update_runtime(runtime["id"], {
        "name": "py", "description": "new", "is_public": False, "trusted": False,
        "status": "error", "project_id": "p9"})
    assert (updated["name"], updated["description"]) == ("py", "new")
    assert (updated["is_public"], updated["trusted"], updated["status"],
            updated["project_id"]) == (True, True, "available", "p1")
    assert updated["image"] == "python3"
    assert admin.get_runtime(runtime["id"]) == updated
    assert [c for c in ports.orchestrator.calls if c[0] == "create_pool"] == [
        ("create_pool", (runtime["id"], "python3"))]


def test_update_with_null_values_changes_nothing(admin, runtime):
    updated = admin.update_runtime(runtime["id"], {"name": None, "image": None})
    assert (updated["name"], updated["image"]) == ("python3", "python3")


def test_update_of_a_runtime_not_available_is_allowed_without_image(admin, runtime,
                                                                   session):
    set_status(session, runtime, "error")
    assert admin.update_runtime(runtime["id"], {"name": "n"})["name"] == "n"


def test_image_update_upgrades_the_pool(admin, runtime, ports):
    updated = admin.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime"})
    assert (updated["image"], updated["status"]) == ("openstackqinling/python3-runtime",
                                                     "available")
    assert ports.orchestrator.pools[runtime["id"]] == "openstackqinling/python3-runtime"


@pytest.mark.parametrize("status", ["error", "creating", "upgrading"])
def test_image_update_needs_an_available_runtime(admin, runtime, session, status):
    set_status(session, runtime, status)
    with pytest.raises(Conflict, match=f"^Runtime {runtime['id']} is not available.$"):
        admin.update_runtime(runtime["id"], {"image": "python3"})


def test_image_update_is_refused_while_a_function_has_workers(admin, runtime, functions,
                                                              ports):
    run_once(admin, functions, runtime)
    with pytest.raises(Forbidden,
                       match=f"^Runtime {runtime['id']} is still in use by functions.$"):
        admin.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime",
                                               "name": "renamed"})
    kept = admin.get_runtime(runtime["id"])
    assert (kept["image"], kept["status"], kept["name"]) == ("python3", "available", "python3")
    assert ports.orchestrator.pools[runtime["id"]] == "python3"


def test_the_same_image_is_no_upgrade_even_with_workers(admin, runtime, functions, ports):
    run_once(admin, functions, runtime)
    assert admin.update_runtime(runtime["id"], {"image": "python3"})["status"] == "available"


def test_workers_recorded_by_another_replica_count_too(admin, runtime, ports):
    other_replica_worker = FakeOrchestrator().start_worker(
        runtime["id"], "python3", "f9", 0, "f9-0-elsewhere")
    ports.worker_map.add(other_replica_worker)
    with pytest.raises(Forbidden, match="still in use by functions"):
        admin.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime"})


def test_image_update_is_allowed_once_the_workers_are_dropped(admin, runtime, functions):
    run_once(admin, functions, runtime)
    admin.forget_function("f1")
    updated = admin.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime"})
    assert updated["image"] == "openstackqinling/python3-runtime"


def test_workers_of_another_runtime_do_not_block(admin, runtime, functions):
    other = admin.create_runtime({"image": "python3"})
    run_once(admin, functions, other)
    updated = admin.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime"})
    assert updated["status"] == "available"


def test_an_unusable_image_is_refused_and_leaves_the_runtime_as_it_was(admin, runtime):
    with pytest.raises(InvalidInput, match="cobol"):
        admin.update_runtime(runtime["id"], {"image": "cobol", "name": "renamed"})
    kept = admin.get_runtime(runtime["id"])
    assert (kept["image"], kept["status"], kept["name"]) == ("python3", "available", "python3")


def test_a_failed_upgrade_leaves_the_runtime_in_error(admin, runtime, ports, monkeypatch):
    def broken(runtime_id, image):
        raise RuntimeError("the cluster is gone")

    monkeypatch.setattr(ports.orchestrator, "create_pool", broken)
    updated = admin.update_runtime(runtime["id"], {"image": "openstackqinling/python3-runtime"})
    assert (updated["status"], updated["image"]) == ("error", "openstackqinling/python3-runtime")


@pytest.mark.parametrize("values, message", [
    ({"image": ""}, "Invalid image: a non-empty string is required."),
    ({"image": 3}, "Invalid image: a string is required."),
    ({"name": ["x"]}, "Invalid name: a string is required."),
    ({"description": "d" * 256}, "Invalid description: at most 255 characters."),
    ([], "Invalid request body: a JSON object is required."),
])
def test_update_refuses_bad_values(admin, runtime, values, message):
    with pytest.raises(InvalidInput, match=f"^{message}$"):
        admin.update_runtime(runtime["id"], values)


def test_runtime_changes_are_admin_only(session, ports, functions, admin, runtime):
    user = make_service(session, ports, functions)
    for change in (lambda: user.create_runtime({"image": "python3"}),
                   lambda: user.update_runtime(runtime["id"], {"name": "x"}),
                   lambda: user.delete_runtime(runtime["id"]),
                   lambda: user.get_runtime_pool(runtime["id"])):
        with pytest.raises(Forbidden, match="^Operation not allowed$"):
            change()
    assert admin.get_runtime(runtime["id"]) == runtime


def test_update_of_an_unknown_runtime_is_404(admin):
    with pytest.raises(NotFound, match=r"^Runtime not found \[id=nope\]$"):
        admin.update_runtime("nope", {"name": "x"})


def test_delete_is_refused_while_functions_use_it(admin, runtime, functions, ports):
    functions.runtime_users[runtime["id"]] = 2
    with pytest.raises(Forbidden, match=f"^Runtime {runtime['id']} is still in use.$"):
        admin.delete_runtime(runtime["id"])
    admin.function.count_functions.assert_called_once_with(runtime["id"])
    assert admin.get_runtime(runtime["id"])["status"] == "available"
    assert runtime["id"] in ports.orchestrator.pools


def test_delete_removes_the_pool_and_the_row(admin, runtime, ports):
    assert admin.delete_runtime(runtime["id"]) is None
    assert ("delete_pool", (runtime["id"],)) in ports.orchestrator.calls
    assert runtime["id"] not in ports.orchestrator.pools
    with pytest.raises(NotFound):
        admin.get_runtime(runtime["id"])
    assert admin.list_runtimes() == []


def test_delete_of_an_unknown_runtime_is_404(admin):
    with pytest.raises(NotFound, match=r"^Runtime not found \[id=nope\]$"):
        admin.delete_runtime("nope")


def test_pool_counts_the_runtimes_workers(admin, runtime, functions):
    assert admin.get_runtime_pool(runtime["id"]) == {
        "name": runtime["id"], "capacity": {"total": 0, "available": 0}}
    run_once(admin, functions, runtime, "f1")
    run_once(admin, functions, runtime, "f2")
    assert admin.get_runtime_pool(runtime["id"])["capacity"] == {"total": 2, "available": 0}


def test_pool_of_a_runtime_this_orchestrator_has_not_made_yet_is_empty(session, functions,
                                                                       runtime):
    restarted = make_service(session, Ports(), functions, admin=True)
    assert restarted.get_runtime_pool(runtime["id"])["capacity"] == {"total": 0, "available": 0}


def test_pool_of_an_unknown_runtime_is_404(admin):
    with pytest.raises(NotFound, match=r"^Runtime not found \[id=nope\]$"):
        admin.get_runtime_pool("nope")


def test_list_shows_own_and_public_runtimes(session, ports, functions, admin):
    public = admin.create_runtime({"image": "python3", "name": "public"})
    private = admin.create_runtime({"image": "python3", "name": "private",
                                    "is_public": False})
    theirs = make_service(session, ports, functions, project="p2", admin=True).create_runtime(
        {"image": "python3", "name": "theirs", "is_public": False})
    user, other = (make_service(session, ports, functions, project=p) for p in ("p1", "p2"))
    assert {r["name"] for r in other.list_runtimes()} == {"public", "theirs"}
    assert {r["name"] for r in user.list_runtimes()} == {"public", "private"}
    assert {r["name"] for r in user.list_runtimes(query(is_public="false"))} == {"private"}
    assert [r["id"] for r in user.list_runtimes(query(name="public"))] == [public["id"]]
    with pytest.raises(Forbidden):
        user.list_runtimes(query(all_projects="true"))
    admin = make_service(session, ports, functions, project="admin", admin=True)
    assert {r["id"] for r in admin.list_runtimes(query(all_projects="true"))} == {
        public["id"], private["id"], theirs["id"]}
    assert [r["id"] for r in admin.list_runtimes(query(project_id="p2"))] == [theirs["id"]]


def test_list_runtimes_sorts_pages_and_refuses_unknown_filters(admin):
    ids = [admin.create_runtime({"image": "python3"})["id"] for _ in range(3)]
    everything = [r["id"] for r in admin.list_runtimes(query(sort_dir="desc"))]
    assert sorted(everything) == sorted(ids)
    page = admin.list_runtimes(query(sort_dir="desc", limit="1"))
    rest = admin.list_runtimes(query(sort_dir="desc", marker=page[0]["id"]))
    assert [r["id"] for r in page + rest] == everything
    with pytest.raises(InvalidInput, match="Invalid filter 'project'"):
        admin.list_runtimes({"filters": [["project", "eq", "p1"]]})
    with pytest.raises(InvalidInput, match="Invalid marker"):
        admin.list_runtimes(query(marker="nope"))


def test_executions_see_a_runtime_change_of_this_replica_at_once(admin, runtime, functions,
                                                                 ports, session):
    run_once(admin, functions, runtime)  # the runtime is in the cache now
    admin.update_runtime(runtime["id"], {"name": "renamed"})
    admin.dispatch.assert_called_with("runtime_updated", {"id": runtime["id"]})
    seen = targets.runtime_view(runtime["id"], Caller("p1", False), ports.caches, session)
    assert seen["name"] == "renamed"  # read again


def test_a_runtime_changed_by_another_replica_is_forgotten_on_its_event(admin, runtime,
                                                                       functions, session):
    run_once(admin, functions, runtime)  # cached as available
    set_status(session, runtime, "error")  # what another replica committed
    admin.on_runtime_updated({"id": runtime["id"]})
    with pytest.raises(Conflict, match="is not available"):
        run_once(admin, functions, runtime, "f2")


def test_a_deleted_runtime_is_forgotten_everywhere(admin, runtime, ports):
    ports.caches.runtimes.get((runtime["id"],), lambda: {"status": "available"})
    admin.delete_runtime(runtime["id"])
    admin.dispatch.assert_called_with("runtime_deleted", {"id": runtime["id"]})
    assert ports.caches.runtimes.get((runtime["id"],), lambda: "reloaded") == "reloaded"
