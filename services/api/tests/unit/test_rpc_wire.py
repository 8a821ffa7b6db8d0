"""The pure half of the RPC client: headers out, replies in."""
import json

import pytest

from qinling_api.rpc import RemoteError, decode_reply, request_headers
from qinling_shared.context import tenancy
from qinling_shared.exceptions import Conflict, NotFound


def reply(result=None, error=None):
    return json.dumps({"result": result, "error": error}).encode()


def error(exc_type, value, exc_path):
    return {"exc_type": exc_type, "value": value, "exc_path": exc_path, "exc_args": [value]}


def test_context_becomes_nameko_headers_without_nones():
    headers = request_headers(tenancy(project_id="p1", is_admin=True, request_id="req-1"), "c1")
    assert headers == {"nameko.project_id": "p1", "nameko.roles": [], "nameko.is_admin": True,
                       "nameko.request_id": "req-1", "nameko.call_id_stack": ["c1"]}


def test_a_result():
    assert decode_reply(reply({"id": "f1"})) == {"id": "f1"}
    assert decode_reply(reply(None)) is None


@pytest.mark.parametrize("cls", [NotFound, Conflict])
def test_a_wire_error_comes_back_typed(cls):
    body = reply(error=error(cls.__name__, "Function not found [id=x]",
                             f"qinling_shared.exceptions.{cls.__name__}"))
    with pytest.raises(cls, match=r"^Function not found \[id=x\]$"):
        decode_reply(body)


def test_a_foreign_error_with_a_wire_name_is_not_trusted():
    body = reply(error=error("NotFound", "no such row", "somelib.errors.NotFound"))
    with pytest.raises(RemoteError) as raised:
        decode_reply(body)
    assert raised.value.exc_type == "NotFound"


def test_any_other_error_is_a_remote_error():
    body = reply(error=error("ValueError", "kaboom", "builtins.ValueError"))
    with pytest.raises(RemoteError) as raised:
        decode_reply(body)
    assert (raised.value.exc_type, raised.value.value) == ("ValueError", "kaboom")


def test_a_reply_that_is_not_json_is_a_remote_error():
    with pytest.raises(RemoteError):
        decode_reply(b"\x00garbage")
