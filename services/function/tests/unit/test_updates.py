import hashlib

import pytest

from qinling_shared.exceptions import Forbidden, InvalidInput, NotFound


def test_name_only_update_does_not_touch_workers(service, execution, package_function):
    fn = package_function(name="a")
    updated = service.update_function(fn["id"], {"name": "b", "description": "d"})
    assert (updated["name"], updated["description"]) == ("b", "d")
    assert execution.forgotten == []
    assert service.dispatch.call_count == 1  # only function_created


def test_new_package_replaces_the_old_after_commit(service, storage, execution,
                                                   package_function):
    fn = package_function(b"v1")
    old_key = service.get_function_spec(fn["id"])["package_key"]
    new = storage.put("p1", b"v2")
    updated = service.update_function(fn["id"], {"source": "package", "entry": "m.f"}, new)
    assert updated["code"] == {"source": "package", "md5sum": hashlib.md5(b"v2").hexdigest()}
    assert updated["entry"] == "m.f"
    spec = service.get_function_spec(fn["id"])
    assert (spec["package_key"], spec["package_sha256"]) == (new["key"], new["sha256"])
    assert storage.deleted == [old_key]
    assert execution.forgotten == [fn["id"]]
    service.dispatch.assert_called_with("function_updated", {"id": fn["id"]})


@pytest.mark.parametrize("values", [{"cpu": "200"}, {"memory_size": "67108864"},
                                    {"timeout": "9"}, {"entry": "other.main"}])
def test_configuration_changes_reach_the_workers(service, execution, package_function, values):
    fn = package_function()
    service.update_function(fn["id"], values)
    assert execution.forgotten == [fn["id"]]


def test_same_values_do_not_reach_the_workers(service, execution, package_function):
    fn = package_function(cpu="200")
    service.update_function(fn["id"], {"cpu": "200", "runtime_id": "r9"})
    assert execution.forgotten == []
    assert service.get_function(fn["id"])["runtime_id"] == "r1"


def test_unchanged_package_is_refused_and_deleted(service, storage, package_function):
    fn = package_function(b"same")
    again = storage.put("p1", b"same")
    with pytest.raises(InvalidInput) as err:
        service.update_function(fn["id"], {}, again)
    assert str(err.value) == "The function code checksum is not changed."
    assert storage.deleted == [again["key"]]
    assert service.get_function_spec(fn["id"])["package_key"] in storage.packages


def test_refused_update_deletes_the_new_upload_and_changes_nothing(service, storage,
                                                                   package_function):
    fn = package_function(b"v1")
    new = storage.put("p1", b"v2")
    with pytest.raises(InvalidInput, match="^cpu"):
        service.update_function(fn["id"], {"cpu": "1", "name": "x"}, new)
    assert storage.deleted == [new["key"]]
    assert service.get_function(fn["id"])["name"] is None


def test_unknown_function_deletes_the_new_upload(service, storage):
    new = storage.put("p1", b"v2")
    with pytest.raises(NotFound, match=r"Function not found \[id=nope\]"):
        service.update_function("nope", {}, new)
    assert storage.deleted == [new["key"]]


def test_running_jobs_block_code_updates_not_renames(service, trigger, package_function):
    fn = package_function()
    trigger.usage[(fn["id"], None)] = {"jobs": 1, "webhooks": 0}
    with pytest.raises(Forbidden) as err:
        service.update_function(fn["id"], {"entry": "x.y"})
    assert str(err.value) == "The function is still associated with running job(s)."
    assert service.update_function(fn["id"], {"name": "renamed"})["name"] == "renamed"


def test_image_function_only_name_description_timeout(service, execution):
    fn = service.create_function({"code": '{"source": "image", "image": "alpine"}'}, None)
    assert service.update_function(fn["id"], {"timeout": "30", "name": "i"})["timeout"] == 30
    assert execution.forgotten == [fn["id"]]
    with pytest.raises(InvalidInput) as err:
        service.update_function(fn["id"], {"cpu": "200"})
    assert str(err.value) == "The image type function code can not be changed."


def test_code_type_cannot_change(service, package_function):
    fn = package_function()
    with pytest.raises(InvalidInput) as err:
        service.update_function(fn["id"], {"code": '{"source": "image", "image": "a"}'})
    assert str(err.value) == "The function code type can not be changed."


def test_swift_update_merges_and_rechecks(service, storage, execution):
    storage.swift[("c", "o")] = b"one"
    storage.swift[("c", "o2")] = b"two"
    fn = service.create_function(
        {"code": '{"source": "swift", "swift": {"container": "c", "object": "o"}}',
         "runtime_id": "r1"}, None)
    updated = service.update_function(fn["id"], {"source": "swift", "swift": '{"object": "o2"}'})
    assert updated["code"]["swift"] == {"container": "c", "object": "o2"}
    spec = service.get_function_spec(fn["id"])
    assert spec["package_key"] == "swift/c/o2"
    assert spec["package_md5"] == hashlib.md5(b"two").hexdigest()
    assert execution.forgotten == [fn["id"]] and storage.deleted == []
    with pytest.raises(InvalidInput, match="Failed to validate object in Swift."):
        service.update_function(fn["id"], {"swift": {"container": "missing"}})


def test_other_projects_function_cannot_be_updated(make_service, package_function):
    fn = package_function()
    with pytest.raises(NotFound):
        make_service(project_id="p2").update_function(fn["id"], {"name": "x"})
