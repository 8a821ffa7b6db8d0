import pytest

from qinling_shared.exceptions import Forbidden, NotFound


def test_delete_removes_versions_packages_and_announces(service, storage, package_function):
    fn = package_function(b"v1")
    service.create_version(fn["id"])
    live_key = service.get_function_spec(fn["id"])["package_key"]
    version_key = service.get_function_spec(fn["id"], 1)["package_key"]
    service.delete_function(fn["id"])
    assert set(storage.deleted) == {live_key, version_key} and storage.packages == {}
    service.dispatch.assert_called_with("function_deleted", {"id": fn["id"]})
    with pytest.raises(NotFound):
        service.get_function(fn["id"])
    with pytest.raises(NotFound):
        service.get_function_spec(fn["id"], 1)


def test_swift_object_is_not_deleted(service, storage):
    storage.swift[("c", "o")] = b"code"
    fn = service.create_function(
        {"code": '{"source": "swift", "swift": {"container": "c", "object": "o"}}',
         "runtime_id": "r1"}, None)
    service.delete_function(fn["id"])
    assert storage.deleted == []


@pytest.mark.parametrize("usage,message", [
    ({"jobs": 1, "webhooks": 1}, "The function is still associated with running job(s)."),
    ({"jobs": 0, "webhooks": 2}, "The function is still associated with webhook(s)."),
])
def test_delete_refused_while_triggers_use_it(service, trigger, storage, package_function,
                                              usage, message):
    fn = package_function()
    trigger.usage[(fn["id"], None)] = usage
    with pytest.raises(Forbidden) as err:
        service.delete_function(fn["id"])
    assert str(err.value) == message
    assert service.get_function(fn["id"])["id"] == fn["id"] and storage.deleted == []


def test_delete_refused_while_an_alias_points_at_it(service, package_function):
    fn = package_function()
    service.create_alias({"name": "live", "function_id": fn["id"]})
    with pytest.raises(Forbidden) as err:
        service.delete_function(fn["id"])
    assert str(err.value) == "The function is still associated with function alias(es)."
    service.delete_alias("live")
    service.delete_function(fn["id"])


def test_only_the_owner_may_delete_even_an_admin(make_service, package_function):
    fn = package_function()
    admin = make_service(project_id="admin-project", is_admin=True)
    with pytest.raises(Forbidden) as err:
        admin.delete_function(fn["id"])
    assert str(err.value) == "Function can only be deleted by its owner."
    with pytest.raises(NotFound):
        make_service(project_id="p2").delete_function(fn["id"])
