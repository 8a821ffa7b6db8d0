"""Versions over RPC (max_versions = 2 in these tests' config)."""
import eventlet
import pytest
from nameko.testing.services import entrypoint_waiter

from qinling_shared.exceptions import Forbidden, NotFound


def test_lifecycle(function, make_function, listener, storage, trigger):
    created = make_function(b"v1", entry="a.main")
    fid = created["id"]
    with entrypoint_waiter(listener, "on_version_created") as result:
        first = function.create_version(fid, "one")
    assert result.get() == {"function_id": fid, "version": 1}
    assert (first["version_number"], first["description"]) == (1, "one")
    with pytest.raises(Forbidden, match=r"^Function package not changed since the latest "
                                        r"version 1\.$"):
        function.create_version(fid)
    function.update_function(fid, {"entry": "b.main"}, None)
    assert function.create_version(fid)["version_number"] == 2
    function.update_function(fid, {}, storage.put(b"v3"))
    with pytest.raises(Forbidden, match=r"^Can not exceed maximum number\(2\) of versions$"):
        function.create_version(fid)
    assert function.get_function_spec(fid, 1)["entry"] == "a.main"
    assert [v["version_number"] for v in function.list_versions(fid)] == [1, 2]
    assert function.get_version(fid, 2)["version_number"] == 2

    trigger.usage[(fid, 2)] = {"jobs": 1, "webhooks": 1}
    with pytest.raises(Forbidden, match=r"^The function version is still associated with "
                                        r"running job\(s\)\.$"):
        function.delete_version(fid, 2)
    trigger.usage[(fid, 2)] = {"jobs": 0, "webhooks": 1}
    with pytest.raises(Forbidden, match=r"^The function version is still associated with "
                                        r"webhook\.$"):
        function.delete_version(fid, 2)
    trigger.usage.clear()
    function.create_alias({"name": "two", "function_id": fid, "function_version": 2})
    with pytest.raises(Forbidden, match=r"^The function version is still associated with "
                                        r"alias\.$"):
        function.delete_version(fid, 2)
    function.delete_alias("two")
    key = function.get_function_spec(fid, 2)["package_key"]
    with entrypoint_waiter(listener, "on_version_deleted") as result:
        function.delete_version(fid, 2)
    assert result.get() == {"function_id": fid, "version": 2}
    assert key in storage.deleted
    with pytest.raises(NotFound, match=r"^FunctionVersion not found \[function_id=.*, "
                                       r"version_number=2\]$"):
        function.get_version(fid, 2)
    assert function.create_version(fid)["version_number"] == 3  # 2 is never reused


def test_image_functions_have_no_versions(function):
    image = function.create_function({"code": '{"source": "image", "image": "alpine"}'}, None)
    with pytest.raises(Forbidden, match=r"^Function versioning only allowed for package type "
                                        r"function\.$"):
        function.create_version(image["id"])


def test_concurrent_creations_make_one_version(function, make_function, rpc_as, storage):
    """Racing replicas: one wins number 1; the others see "not changed" and drop their copy."""
    created = make_function(b"v1")

    def create():
        with rpc_as() as proxy:
            try:
                return proxy.create_version(created["id"])["version_number"]
            except Forbidden as exc:
                return str(exc)

    results = list(eventlet.GreenPool(4).imap(lambda _: create(), range(4)))
    assert sorted(results, key=str) == \
        [1] + ["Function package not changed since the latest version 1."] * 3
    versions = function.list_versions(created["id"])
    assert [v["version_number"] for v in versions] == [1]
    live = function.get_function_spec(created["id"])["package_key"]
    kept = function.get_function_spec(created["id"], 1)["package_key"]
    assert set(storage.packages) == {live, kept}  # every losing copy was deleted
