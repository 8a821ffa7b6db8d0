import hashlib

import pytest

from qinling_shared.exceptions import Forbidden, InvalidInput, NotAllowed, NotFound

PACKAGE_CODE = '{"source": "package"}'


def test_create_stores_and_announces(service, storage, package_function):
    fn = package_function(b"hello", name="hello")
    key = next(iter(storage.packages))
    assert fn["code"] == {"source": "package", "md5sum": "5d41402abc4b2a76b9719d911017c592"}
    assert fn["project_id"] == "p1" and fn["name"] == "hello"
    service.dispatch.assert_called_once_with("function_created", {"id": fn["id"]})
    spec = service.get_function_spec(fn["id"])
    assert spec["package_key"] == key and spec["version"] == 0
    assert spec["package_md5"] == "5d41402abc4b2a76b9719d911017c592"
    assert spec["package_sha256"] == storage.put("x", b"hello")["sha256"]
    assert [f["id"] for f in service.list_functions()] == [fn["id"]]


def test_refused_function_deletes_its_upload(service, storage):
    package = storage.put("p1", b"zip")
    with pytest.raises(InvalidInput):
        service.create_function({"code": PACKAGE_CODE, "runtime_id": "r1", "cpu": "9999"},
                                package)
    assert storage.deleted == [package["key"]]
    assert service.list_functions() == []


def test_runtime_not_available(service, storage):
    with pytest.raises(InvalidInput, match="Runtime r2 is not available."):
        service.create_function({"code": PACKAGE_CODE, "runtime_id": "r2"},
                                storage.put("p1", b"zip"))


def test_other_projects_function_is_not_found(make_service, package_function):
    fn = package_function()
    other = make_service(project_id="p2")
    with pytest.raises(NotFound) as err:
        other.get_function(fn["id"])
    assert str(err.value) == f"Function not found [id={fn['id']}]"
    assert other.list_functions() == []
    assert make_service(project_id="p2", is_admin=True).get_function(fn["id"])["id"] == fn["id"]


SWIFT_CODE = '{"source": "swift", "swift": {"container": "c", "object": "o.zip"}}'


def test_swift_function_is_checked_and_referenced(service, storage):
    storage.swift[("c", "o.zip")] = b"swift code"
    fn = service.create_function({"code": SWIFT_CODE, "runtime_id": "r1"}, None)
    assert fn["code"] == {"source": "swift", "swift": {"container": "c", "object": "o.zip"}}
    spec = service.get_function_spec(fn["id"])
    assert spec["package_key"] == "swift/c/o.zip"
    assert spec["package_md5"] == hashlib.md5(b"swift code").hexdigest()
    assert spec["package_sha256"] is None


def test_swift_object_must_exist(service):
    with pytest.raises(InvalidInput, match="Failed to validate object in Swift."):
        service.create_function({"code": SWIFT_CODE, "runtime_id": "r1"}, None)
    assert service.list_functions() == []


@pytest.mark.parametrize("swift", ['{"container": "c"}', '{"object": "o"}', '"c/o"', "{}"])
def test_swift_needs_container_and_object(service, swift):
    code = '{"source": "swift", "swift": %s}' % swift
    with pytest.raises(InvalidInput) as err:
        service.create_function({"code": code, "runtime_id": "r1"}, None)
    assert str(err.value) == "Both container and object must be provided for swift type function."


def test_list_filters_sorts_and_rejects_unknown_fields(service, package_function):
    package_function(b"1", name="b")
    package_function(b"2", name="a")
    names = [f["name"] for f in service.list_functions({"filters": [], "sort_key": "name"})]
    assert names == ["a", "b"]
    only = service.list_functions({"filters": [["name", "eq", "b"]]})
    assert [f["name"] for f in only] == ["b"]
    with pytest.raises(InvalidInput, match="Invalid filter 'code'"):
        service.list_functions({"filters": [["code", "eq", "x"]]})
    with pytest.raises(Forbidden):
        service.list_functions({"filters": [], "all_projects": True})


def test_count_functions_counts_every_project(make_service, service, storage):
    service.create_function({"code": PACKAGE_CODE, "runtime_id": "r1"}, storage.put("p1", b"a"))
    make_service(project_id="p2").create_function({"code": PACKAGE_CODE, "runtime_id": "r1"},
                                                  storage.put("p2", b"b"))
    assert service.count_functions("r1") == 2
    assert service.count_functions("r9") == 0


def test_package_url_signs_the_live_package(service, storage, package_function):
    fn = package_function()
    key = service.get_function_spec(fn["id"])["package_key"]
    assert service.get_package_url(fn["id"]) == storage.sign_url(key)
    with pytest.raises(NotFound, match=r"FunctionVersion not found \[function_id="):
        service.get_package_url(fn["id"], 1)


def test_image_function_cannot_be_downloaded(service):
    fn = service.create_function({"code": '{"source": "image", "image": "alpine"}'}, None)
    with pytest.raises(NotAllowed) as err:
        service.get_package_url(fn["id"])
    assert str(err.value) == "Download image function is not allowed."


def test_an_image_function_needs_no_runtime(service):
    fn = service.create_function({"code": '{"source": "image", "image": "alpine"}'}, None)
    assert (fn["runtime_id"], fn["entry"], fn["code"]) == (
        None, None, {"source": "image", "image": "alpine"})


def test_an_image_function_is_refused_where_none_can_run(service, execution, session):
    execution.images = False
    with pytest.raises(InvalidInput) as err:
        service.create_function({"code": '{"source": "image", "image": "alpine"}'}, None)
    assert str(err.value) == ("Image functions need a container engine: none answers at "
                              "unix:///var/run/docker.sock ([local] container_engine).")
    assert service.list_functions() == []


def test_package_functions_do_not_ask_for_a_container_engine(package_function, execution):
    execution.images = False
    assert package_function()["code"]["source"] == "package"


def test_ping_answers_pong(service):
    assert service.ping() == {"service": "function", "status": "ok"}
