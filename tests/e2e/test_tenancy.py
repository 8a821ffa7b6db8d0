"""Projects kept apart by a real Keystone: alice (project-a), bob (project-b), admin.

For every resource type, bob can neither see, change, run nor delete alice's objects: each
answers 404 as if it did not exist. Admin-only operations answer 403 to users.
"""
import pytest

from qinling_testing.packages import zip_package

NEVER = "0 0 1 1 *"   # a job that does not fire during the test (midnight, January 1st)


def created(response):
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def alices(as_user, keystone_runtime_id):
    """One of each of alice's resources: {kind: id or name}."""
    alice = as_user("alice")
    function = created(alice.create_function(keystone_runtime_id, name="alices"))
    fid = function["id"]
    created(alice.post(f"/v1/functions/{fid}/versions", json={"description": "v1"}))
    alias = created(alice.post("/v1/aliases", json={"name": "alices-alias", "function_id": fid,
                                                    "function_version": 1}))
    execution = created(alice.execute(fid, input={"name": "alice"}))
    assert execution["status"] == "success", execution
    job = created(alice.post("/v1/jobs", json={"function_id": fid, "pattern": NEVER}))
    webhook = created(alice.post("/v1/webhooks", json={"function_id": fid}))
    trigger = created(alice.post("/v1/event_triggers", json={
        "function_id": fid, "event_type": "compute.instance.create.end"}))
    return {"function": fid, "alias": alias["name"], "execution": execution["id"],
            "job": job["id"], "webhook": webhook["id"], "event_trigger": trigger["id"]}


def resource_paths(ids):
    """(path, its GET's 404 text) of each of alice's resources."""
    fid = ids["function"]
    return [
        (f"/v1/functions/{fid}", f"Function not found [id={fid}]"),
        (f"/v1/functions/{fid}/versions/1", f"Function not found [id={fid}]"),
        (f"/v1/aliases/{ids['alias']}", f"FunctionAlias not found [name={ids['alias']}]"),
        (f"/v1/executions/{ids['execution']}", f"Execution not found [id={ids['execution']}]"),
        (f"/v1/jobs/{ids['job']}", f"Job not found [id={ids['job']}]"),
        (f"/v1/webhooks/{ids['webhook']}", f"Webhook not found [id={ids['webhook']}]"),
        (f"/v1/event_triggers/{ids['event_trigger']}",
         f"Event trigger not found [id={ids['event_trigger']}]"),
    ]


def test_each_owner_sees_its_own_resources(as_user, alices):
    alice = as_user("alice")
    for path, _ in resource_paths(alices):
        assert alice.get(path).status_code == 200, path
    assert alice.get(f"/v1/executions/{alices['execution']}/log").status_code == 200


def test_another_project_cannot_see_any_of_them(as_user, alices):
    bob = as_user("bob")
    for path, message in resource_paths(alices):
        response = bob.get(path)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["faultstring"] == message
    assert bob.get(f"/v1/executions/{alices['execution']}/log").status_code == 404
    assert bob.get(f"/v1/functions/{alices['function']}/versions").status_code == 404
    assert bob.get(f"/v1/functions/{alices['function']}?download=true").status_code == 404
    for collection in ("functions", "aliases", "executions", "jobs", "webhooks",
                       "event_triggers"):
        listed = bob.get(f"/v1/{collection}").json()
        (rows,) = listed.values()
        assert not {row.get("id") or row.get("name") for row in rows} & set(alices.values()), \
            collection


def test_another_project_cannot_change_run_or_delete_them(as_user, alices):
    bob = as_user("bob")
    fid = alices["function"]
    attempts = [
        ("PUT", f"/v1/functions/{fid}", {"data": {"name": "mine"}}),
        ("POST", f"/v1/functions/{fid}/versions", {"json": {}}),
        ("PUT", f"/v1/aliases/{alices['alias']}", {"json": {"description": "mine"}}),
        ("POST", "/v1/aliases", {"json": {"name": "bobs", "function_id": fid}}),
        ("POST", "/v1/executions", {"json": {"function_id": fid}}),
        ("POST", "/v1/executions", {"json": {"function_alias": alices["alias"]}}),
        ("PUT", f"/v1/jobs/{alices['job']}", {"json": {"status": "paused"}}),
        ("POST", "/v1/jobs", {"json": {"function_id": fid, "pattern": NEVER}}),
        ("PUT", f"/v1/webhooks/{alices['webhook']}", {"json": {"description": "mine"}}),
        ("POST", "/v1/webhooks", {"json": {"function_id": fid}}),
        ("PUT", f"/v1/event_triggers/{alices['event_trigger']}", {"json": {"name": "mine"}}),
        ("POST", "/v1/event_triggers", {"json": {"function_id": fid, "event_type": "x.y"}}),
        ("POST", f"/v1/executions/{alices['execution']}/cancel", {}),
        ("DELETE", f"/v1/executions/{alices['execution']}", {}),
        ("DELETE", f"/v1/functions/{fid}/versions/1", {}),
        ("DELETE", f"/v1/aliases/{alices['alias']}", {}),
        ("DELETE", f"/v1/jobs/{alices['job']}", {}),
        ("DELETE", f"/v1/webhooks/{alices['webhook']}", {}),
        ("DELETE", f"/v1/event_triggers/{alices['event_trigger']}", {}),
        ("DELETE", f"/v1/functions/{fid}", {}),
    ]
    for method, path, body in attempts:
        response = bob.request(method, path, **body)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
    test_each_owner_sees_its_own_resources(as_user, alices)   # all still there, unchanged
    assert as_user("alice").get(f"/v1/functions/{fid}").json()["name"] == "alices"


def test_admin_only_operations_are_403_to_users(as_user, alices, keystone_runtime_id):
    alice = as_user("alice")
    fid = alices["function"]
    attempts = [
        ("POST", "/v1/runtimes", {"json": {"name": "mine", "image": "python3"}}),
        ("PUT", f"/v1/runtimes/{keystone_runtime_id}", {"json": {"name": "mine"}}),
        ("DELETE", f"/v1/runtimes/{keystone_runtime_id}", {}),
        ("GET", f"/v1/runtimes/{keystone_runtime_id}/pool", {}),
        ("GET", f"/v1/functions/{fid}/workers", {}),
        *[("POST", f"/v1/functions/{fid}{version}/{action}", {"json": {"count": 1}})
          for version in ("", "/versions/1") for action in ("scale_up", "scale_down", "detach")],
        *[("GET", f"/v1/{collection}?all_projects=true", {})
          for collection in ("functions", "executions", "jobs", "webhooks",
                             "event_triggers")],
        ("GET", "/v1/functions?project_id=anything", {}),
    ]
    for method, path, body in attempts:
        response = alice.request(method, path, **body)
        assert (response.status_code, response.json()) == \
            (403, {"faultstring": "Operation not allowed"}), (method, path)
    assert as_user("admin").get(f"/v1/runtimes/{keystone_runtime_id}/pool").status_code == 200


def test_admins_see_every_project_only_when_they_ask(as_user, alices, keystone):
    admin = as_user("admin")
    fid = alices["function"]
    assert admin.get(f"/v1/functions/{fid}").status_code == 200   # by id, as Qinling
    own = {f["id"] for f in admin.get("/v1/functions").json()["functions"]}
    assert fid not in own
    everyone = {f["id"] for f in admin.get("/v1/functions?all_projects=true")
                .json()["functions"]}
    assert fid in everyone
    project_a = keystone.users["alice"].project_id
    theirs = admin.get(f"/v1/functions?project_id={project_a}").json()["functions"]
    assert fid in {f["id"] for f in theirs} and {f["project_id"] for f in theirs} == {project_a}


def test_resources_carry_their_keystone_project(as_user, alices, keystone):
    function = as_user("alice").get(f"/v1/functions/{alices['function']}").json()
    assert function["project_id"] == keystone.users["alice"].project_id


def test_a_private_runtime_is_visible_to_its_project_only(as_user):
    admin, alice = as_user("admin"), as_user("alice")
    private = created(admin.create_runtime(name="private", is_public=False))
    assert alice.get(f"/v1/runtimes/{private['id']}").status_code == 404
    assert private["id"] not in {r["id"] for r in alice.get("/v1/runtimes").json()["runtimes"]}
    response = alice.create_function(private["id"], name="on-private",
                                     package=zip_package({"main.py": "def main():\n    pass\n"}))
    assert response.status_code == 404, response.text
    assert admin.get(f"/v1/runtimes/{private['id']}").status_code == 200
