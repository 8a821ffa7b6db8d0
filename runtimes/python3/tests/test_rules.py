"""Pure parts of the Python 3 runtime: request parsing, argument rule, result encoding, logs."""
import errno
import json
import re
import tempfile

import pytest
from pyruntime import contract, execution, invoke

SHA = "ab" * 32
MD5 = "cd" * 16


def body(**changes):
    base = {"execution_id": "e1", "package_url": "https://storage/p?sig=1",
            "package_sha256": SHA}
    base.update(changes)
    return base


def test_parse_execute_fills_defaults():
    request = contract.parse_execute(body())
    assert request == contract.ExecuteRequest(
        execution_id="e1", function_id="", function_version=0, entry="main.main", input=None,
        timeout=5, cpu=None, memory_size=None, package_url="https://storage/p?sig=1",
        package_sha256=SHA, package_md5=None, openstack=None)


def test_parse_execute_keeps_given_values_and_lowers_the_digest():
    request = contract.parse_execute(body(
        function_id="f", function_version=3, entry="a.b", input={"x": 1}, timeout=1.5,
        cpu=100, memory_size=33554432, package_sha256=SHA.upper(), unknown_key=True))
    assert (request.function_version, request.entry, request.input, request.timeout) == (
        3, "a.b", {"x": 1}, 1.5)
    assert (request.cpu, request.memory_size, request.package_sha256) == (100, 33554432, SHA)


def test_parse_execute_takes_an_md5_instead_of_a_sha256():
    request = contract.parse_execute(body(package_sha256=None, package_md5=MD5.upper()))
    assert (request.package_sha256, request.package_md5) == (None, MD5)


def test_parse_execute_keeps_both_digests_when_both_are_given():
    request = contract.parse_execute(body(package_md5=MD5))
    assert (request.package_sha256, request.package_md5) == (SHA, MD5)


@pytest.mark.parametrize("changes, message", [
    ({"execution_id": 7}, "'execution_id' must be a string."),
    ({"timeout": 0}, "'timeout' must be a positive number of seconds."),
    ({"timeout": True}, "'timeout' must be a positive number of seconds."),
    ({"memory_size": -1}, "'memory_size' must be an integer of at least 1."),
    ({"function_version": "1"}, "'function_version' must be an integer of at least 0."),
    ({"package_url": None}, "'package_url' is required."),
    ({"package_sha256": "zz" * 32}, "'package_sha256' must be 64 hexadecimal digits."),
    ({"package_sha256": MD5}, "'package_sha256' must be 64 hexadecimal digits."),
    ({"package_md5": SHA}, "'package_md5' must be 32 hexadecimal digits."),
    ({"package_md5": 5}, "'package_md5' must be 32 hexadecimal digits."),
    ({"package_sha256": None}, "'package_sha256' or 'package_md5' is required."),
    ({"openstack": "tok"}, "'openstack' must be an object with a 'token' and an 'auth_url'."),
    ({"openstack": {"token": "t"}},
     "'openstack' must be an object with a 'token' and an 'auth_url'."),
    ({"openstack": {"token": "t", "auth_url": "http://ks", "region_name": 1}},
     "'openstack.region_name' must be a string."),
])
def test_parse_execute_refuses_bad_fields(changes, message):
    with pytest.raises(contract.BadRequest, match=f"^{re.escape(message)}$"):
        contract.parse_execute(body(**changes))


def test_parse_execute_takes_the_runs_openstack_access():
    access = {"token": "gAAAA", "auth_url": "http://ks:5000/v3", "region_name": "RegionOne"}
    assert contract.parse_execute(body(openstack=access)).openstack == {**access, "token_data": None}
    assert contract.parse_execute(body(openstack=None)).openstack is None


def takes_context(context, **kwargs):
    pass


def takes_kwargs(name, **kwargs):
    pass


def takes_neither(name="World"):
    pass


@pytest.mark.parametrize("function, has_openstack, wanted", [
    (takes_context, False, True), (takes_context, True, True),
    (takes_kwargs, False, False), (takes_kwargs, True, True),
    (takes_neither, False, False), (takes_neither, True, False),
    (print, True, False),
])
def test_a_function_gets_a_context_when_it_names_one_or_takes_kwargs_with_openstack(
        function, has_openstack, wanted):
    assert invoke.wants_context(function, has_openstack) is wanted


@pytest.mark.parametrize("fn_input, expected", [
    (None, ((), {})),
    ({"a": 1}, ((), {"a": 1})),
    ({"__function_input": "raw"}, (("raw",), {})),
    ({"__function_input": "raw", "b": 2}, (("raw",), {"b": 2})),
    ("text", (("text",), {})),
    (0, ((0,), {})),
    ([1], (([1],), {})),
])
def test_arguments_follow_qinlings_rule(fn_input, expected):
    assert invoke.arguments(fn_input) == expected


@pytest.mark.parametrize("exc, message", [
    (ValueError("bad"), "bad"),
    (KeyError("k"), "'k'"),
    (RuntimeError(), "RuntimeError"),
    (MemoryError(), contract.RESOURCE_MESSAGE),
    (OSError(errno.EAGAIN, "Resource temporarily unavailable"), contract.RESOURCE_MESSAGE),
    (OSError(errno.EMFILE, "Too many open files"), "[Errno 24] Too many open files"),
    (SystemExit(2), "Function exited with status 2."),
])
def test_failure_messages(exc, message):
    assert invoke.failure_message(exc) == message


def test_encode_passes_json_values_through():
    assert json.loads(invoke.encode({"output": [1, "a"], "success": True})) == {
        "output": [1, "a"], "success": True}


def test_encode_turns_an_oversized_result_into_a_failure(monkeypatch):
    monkeypatch.setattr(invoke, "MAX_RESULT_BYTES", 100)
    result = json.loads(invoke.encode({"output": "x" * 200, "success": True}))
    assert result["success"] is False
    assert result["output"].startswith("Function result is too large: ")


def test_read_logs_keeps_head_and_tail_beyond_the_limit():
    with tempfile.TemporaryFile() as log:
        log.write(b"HEAD" + b"." * 1000 + b"TAIL")
        text = execution.read_logs(log, 100)
    assert text.startswith("HEAD") and text.endswith("TAIL")
    assert "[logs truncated: 1008 bytes, 908 omitted]" in text


def test_read_logs_returns_short_logs_whole():
    with tempfile.TemporaryFile() as log:
        log.write("héllo\n".encode())
        assert execution.read_logs(log, 100) == "héllo\n"


def test_download_failure_keeps_qinlings_text():
    assert contract.download_failure("http://s/p", "boom") == {
        "output": "Failed to download function package from http://s/p, error: boom",
        "success": False, "duration": 0, "logs": ""}


@pytest.mark.parametrize("payload, expected", [
    (None, {"output": contract.RESOURCE_MESSAGE, "success": False}),
    (b'{"output": 1, "success": true}', {"output": 1, "success": True}),
    (b"garbage", {"output": execution.UNREADABLE_MESSAGE, "success": False}),
    (b"[1]", {"output": execution.UNREADABLE_MESSAGE, "success": False}),
])
def test_outcome_of_a_child_that_was_not_timed_out(payload, expected):
    assert execution._outcome(payload, timed_out=False) == expected


def test_outcome_of_a_timeout():
    assert execution._outcome(None, timed_out=True) == {
        "output": contract.TIMEOUT_MESSAGE, "success": False}
