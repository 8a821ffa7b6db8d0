"""Functions: create (package, swift, image), read, list, spec, download URL, count, delete."""
import hashlib

import pytest
from nameko.testing.services import entrypoint_waiter

from qinling_shared.exceptions import Forbidden, InvalidInput, NotAllowed, NotFound


def test_create_get_list(function, make_function):
    created = make_function(name="hello")
    assert function.get_function(created["id"])["name"] == "hello"
    make_function(b"v2", name="another")
    listed = function.list_functions({"filters": [["name", "eq", "hello"]]})
    assert [f["id"] for f in listed] == [created["id"]]
    by_name = function.list_functions({"filters": [], "sort_key": "name", "sort_dir": "desc"})
    assert [f["name"] for f in by_name] == ["hello", "another"]


def test_unknown_runtime_is_404_and_upload_is_deleted(function, storage):
    package = storage.put(b"zip")
    with pytest.raises(NotFound, match=r"Runtime not found \[id=nope\]"):
        function.create_function({"code": '{"source": "package"}', "runtime_id": "nope"},
                                 package)
    assert storage.deleted == [package["key"]] and storage.claimed == []


def test_created_event_dispatched(function, listener, make_function, storage):
    with entrypoint_waiter(listener, "on_created") as result:
        created = make_function()
    assert result.get() == {"id": created["id"]}
    assert storage.claimed == [function.get_function_spec(created["id"])["package_key"]]


SWIFT = '{"source": "swift", "swift": {"container": "c", "object": "o.zip"}}'


def test_swift_function(function, storage):
    with pytest.raises(InvalidInput) as err:
        function.create_function({"code": '{"source": "swift", "swift": {"container": "c"}}',
                                  "runtime_id": "r1"}, None)
    assert str(err.value) == "Both container and object must be provided for swift type function."
    with pytest.raises(InvalidInput, match=r"^Failed to validate object in Swift\.$"):
        function.create_function({"code": SWIFT, "runtime_id": "r1"}, None)
    storage.swift[("c", "o.zip")] = b"swift code"
    created = function.create_function({"code": SWIFT, "runtime_id": "r1"}, None)
    spec = function.get_function_spec(created["id"])
    assert spec["package_key"] == "swift/c/o.zip" and spec["package_sha256"] is None
    assert spec["package_md5"] == hashlib.md5(b"swift code").hexdigest()
    assert function.get_package_url(created["id"]).startswith(
        "http://127.0.0.1:7071/v1/packages/swift/c/o.zip?")


def test_spec_url_and_count(function, make_function):
    created = make_function(b"code", entry="m.main")
    spec = function.get_function_spec(created["id"])
    assert {k: spec[k] for k in ("id", "project_id", "version", "entry", "package_md5")} == \
        {"id": created["id"], "project_id": "p1", "version": 0, "entry": "m.main",
         "package_md5": hashlib.md5(b"code").hexdigest()}
    assert spec["package_key"] in function.get_package_url(created["id"])
    with pytest.raises(NotFound) as err:
        function.get_function_spec(created["id"], 3)
    assert str(err.value) == \
        f"FunctionVersion not found [function_id={created['id']}, version_number=3]"
    image = function.create_function({"code": '{"source": "image", "image": "alpine"}'}, None)
    with pytest.raises(NotAllowed, match=r"^Download image function is not allowed\.$"):
        function.get_package_url(image["id"])
    assert function.count_functions("r1") == 1


def test_delete(function, listener, make_function, rpc_as, storage, trigger):
    created = make_function()
    function.create_version(created["id"])
    keys = {function.get_function_spec(created["id"], n)["package_key"] for n in (0, 1)}
    for usage, message in (({"jobs": 1, "webhooks": 0}, "running job(s)"),
                           ({"jobs": 0, "webhooks": 1}, "webhook(s)")):
        trigger.usage[(created["id"], None)] = usage
        with pytest.raises(Forbidden) as err:
            function.delete_function(created["id"])
        assert str(err.value) == f"The function is still associated with {message}."
    trigger.usage.clear()
    function.create_alias({"name": "a", "function_id": created["id"]})
    with pytest.raises(Forbidden, match=r"^The function is still associated with function "
                                        r"alias\(es\)\.$"):
        function.delete_function(created["id"])
    function.delete_alias("a")
    with rpc_as("admin", is_admin=True) as admin:
        with pytest.raises(Forbidden, match="^Function can only be deleted by its owner.$"):
            admin.delete_function(created["id"])
    with entrypoint_waiter(listener, "on_deleted") as result:
        function.delete_function(created["id"])
    assert result.get() == {"id": created["id"]}
    assert set(storage.deleted) == keys
    with pytest.raises(NotFound):
        function.get_function(created["id"])
