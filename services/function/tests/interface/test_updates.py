"""update_function over RPC: refusals in Qinling's order, package replacement, forgetting."""
import hashlib

import pytest
from nameko.testing.services import entrypoint_waiter

from qinling_shared.exceptions import Forbidden, InvalidInput


def test_new_package_runs_at_once(function, make_function, listener, storage, execution):
    created = make_function(b"v1")
    old_key = function.get_function_spec(created["id"])["package_key"]
    new = storage.put(b"v2")
    with entrypoint_waiter(listener, "on_updated") as result:
        updated = function.update_function(created["id"], {"source": "package"}, new)
    assert result.get() == {"id": created["id"]}
    # forgotten synchronously, before the reply: the next execution gets the new code
    assert execution.forgotten == [created["id"]]
    assert updated["code"] == {"source": "package", "md5sum": hashlib.md5(b"v2").hexdigest()}
    assert function.get_function_spec(created["id"])["package_key"] == new["key"]
    assert storage.deleted == [old_key] and new["key"] in storage.claimed


def test_refusals_in_order(function, make_function, storage, trigger):
    created = make_function(b"v1")
    refusals = [
        ({"timeout": "0", "cpu": "1"},
         "timeout resource limitation not within the allowable range: 1 ~ 300(seconds)."),
        ({"cpu": "1", "memory_size": "1"},
         "cpu resource limitation not within the allowable range: 100 ~ 300(millicpu)."),
        ({"memory_size": "x"}, "Invalid memory resource specified. An integer is required."),
        ({"code": '{"source": "swift"}'}, "The function code type can not be changed."),
    ]
    for values, message in refusals:
        with pytest.raises(InvalidInput) as err:
            function.update_function(created["id"], values, None)
        assert str(err.value) == message
    same = storage.put(b"v1")
    with pytest.raises(InvalidInput, match=r"^The function code checksum is not changed\.$"):
        function.update_function(created["id"], {}, same)
    assert storage.deleted == [same["key"]]
    trigger.usage[(created["id"], None)] = {"jobs": 1, "webhooks": 0}
    with pytest.raises(Forbidden, match=r"^The function is still associated with running "
                                        r"job\(s\)\.$"):
        function.update_function(created["id"], {"entry": "a.b"}, None)
    assert function.update_function(created["id"], {"name": "n"}, None)["name"] == "n"


def test_image_function(function, execution):
    image = function.create_function({"code": '{"source": "image", "image": "alpine"}'}, None)
    with pytest.raises(InvalidInput, match=r"^The image type function code can not be "
                                           r"changed\.$"):
        function.update_function(image["id"], {"cpu": "200"}, None)
    assert function.update_function(image["id"], {"timeout": "20"}, None)["timeout"] == 20
    assert execution.forgotten == [image["id"]]


def test_swift_update(function, storage, execution):
    storage.swift[("c", "o")] = b"one"
    created = function.create_function(
        {"code": '{"source": "swift", "swift": {"container": "c", "object": "o"}}',
         "runtime_id": "r1"}, None)
    with pytest.raises(InvalidInput) as err:
        function.update_function(created["id"], {"source": "swift", "swift": "{}"}, None)
    assert str(err.value) == \
        "Either container or object must be provided for swift type function update."
    with pytest.raises(InvalidInput, match=r"^Failed to validate object in Swift\.$"):
        function.update_function(created["id"], {"swift": '{"object": "o2"}'}, None)
    storage.swift[("c", "o2")] = b"two"
    updated = function.update_function(created["id"], {"swift": '{"object": "o2"}'}, None)
    assert updated["code"]["swift"] == {"container": "c", "object": "o2"}
    assert execution.forgotten == [created["id"]]
