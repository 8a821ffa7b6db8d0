import pytest

from qinling_shared.exceptions import Conflict, Forbidden, InvalidInput, NotFound


def test_create_get_resolve(service, package_function):
    fn = package_function()
    alias = service.create_alias({"name": "prod", "function_id": fn["id"],
                                  "description": "live code"})
    assert {k: alias[k] for k in ("name", "function_id", "function_version", "description",
                                  "project_id")} == \
        {"name": "prod", "function_id": fn["id"], "function_version": 0,
         "description": "live code", "project_id": "p1"}
    assert service.get_alias("prod") == alias
    assert service.resolve_alias("prod") == {"function_id": fn["id"], "function_version": 0}


def test_version_must_exist(service, package_function):
    fn = package_function()
    with pytest.raises(NotFound) as err:
        service.create_alias({"name": "a", "function_id": fn["id"], "function_version": 1})
    assert str(err.value) == f"FunctionVersion not found [function_id={fn['id']}, version_number=1]"
    service.create_version(fn["id"])
    assert service.create_alias({"name": "a", "function_id": fn["id"],
                                 "function_version": 1})["function_version"] == 1


def test_function_must_be_the_callers(make_service, package_function):
    fn = package_function()
    for other in (make_service(project_id="p2"), make_service(project_id="p2", is_admin=True)):
        with pytest.raises(NotFound, match=r"Function not found \[id="):
            other.create_alias({"name": "a", "function_id": fn["id"]})


def test_duplicate_name_in_a_project_conflicts(make_service, service, package_function):
    fn = package_function()
    service.create_alias({"name": "a", "function_id": fn["id"]})
    with pytest.raises(Conflict) as err:
        service.create_alias({"name": "a", "function_id": fn["id"]})
    assert str(err.value) == "Function alias a already exists."
    # the same name in another project is another alias; resolving stays in the project
    other = make_service(project_id="p2")
    other_fn = other.create_function({"code": '{"source": "image", "image": "x"}'}, None)
    other.create_alias({"name": "a", "function_id": other_fn["id"]})
    assert other.resolve_alias("a")["function_id"] == other_fn["id"]
    assert service.resolve_alias("a")["function_id"] == fn["id"]


def test_not_found_text(service):
    with pytest.raises(NotFound) as err:
        service.get_alias("nope")
    assert str(err.value) == "FunctionAlias not found [name=nope]"
    with pytest.raises(NotFound):
        service.resolve_alias("nope")
    with pytest.raises(NotFound):
        service.delete_alias("nope")


def test_update_repoints_and_announces(service, package_function):
    one, two = package_function(b"1"), package_function(b"2")
    service.create_version(two["id"])
    service.create_alias({"name": "a", "function_id": one["id"], "description": "d"})
    updated = service.update_alias("a", {"function_id": two["id"], "function_version": "1",
                                         "description": None})
    assert (updated["function_id"], updated["function_version"], updated["description"]) == \
        (two["id"], 1, "d")
    service.dispatch.assert_called_with("alias_updated", {"name": "a", "project_id": "p1"})
    assert service.resolve_alias("a") == {"function_id": two["id"], "function_version": 1}


def test_update_validated_as_create(service, package_function):
    fn = package_function()
    service.create_alias({"name": "a", "function_id": fn["id"]})
    with pytest.raises(NotFound, match="FunctionVersion not found"):
        service.update_alias("a", {"function_version": 4})
    with pytest.raises(NotFound, match=r"Function not found \[id=nope\]"):
        service.update_alias("a", {"function_id": "nope"})
    with pytest.raises(InvalidInput):
        service.update_alias("a", {"function_version": "x"})
    assert service.resolve_alias("a") == {"function_id": fn["id"], "function_version": 0}


def test_delete_announces(service, package_function):
    fn = package_function()
    service.create_alias({"name": "a", "function_id": fn["id"]})
    service.delete_alias("a")
    service.dispatch.assert_called_with("alias_deleted", {"name": "a", "project_id": "p1"})
    with pytest.raises(NotFound):
        service.get_alias("a")


def test_listing_is_project_scoped(make_service, service, package_function):
    fn = package_function()
    service.create_alias({"name": "b", "function_id": fn["id"]})
    service.create_alias({"name": "a", "function_id": fn["id"]})
    assert [a["name"] for a in service.list_aliases({"sort_key": "name"})] == ["a", "b"]
    assert make_service(project_id="p2").list_aliases() == []
    with pytest.raises(Forbidden):
        make_service(project_id="p2").list_aliases({"all_projects": True})
    admin = make_service(project_id="p2", is_admin=True)
    assert len(admin.list_aliases({"all_projects": True})) == 2
    assert [a["name"] for a in service.list_aliases({"filters": [["name", "eq", "b"]]})] == ["b"]
