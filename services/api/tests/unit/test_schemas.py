"""The request schemas: what they accept, what they pass on, and Qinling's messages."""
import pytest

from qinling_api import validation
from qinling_api.schemas.aliases import AliasCreate, AliasUpdate
from qinling_api.schemas.executions import ExecutionCreate
from qinling_api.schemas.functions import FunctionCreate, FunctionUpdate
from qinling_api.schemas.versions import VersionCreate
from qinling_api.schemas.workers import Scale
from qinling_shared.exceptions import InvalidInput

BIG = 2 ** 63


def refusal(schema, body):
    with pytest.raises(InvalidInput) as caught:
        validation.load(schema, body)
    return str(caught.value)


@pytest.mark.parametrize("schema, body, loaded", [
    (ExecutionCreate, {"function_id": "f", "sync": False, "input": {"a": 1}, "x": 1},
     {"function_id": "f", "sync": False, "input": {"a": 1}}),
    (ExecutionCreate, {"function_alias": "prod", "function_version": BIG - 1,
                       "description": None}, {"function_alias": "prod",
                                              "function_version": BIG - 1}),
    (AliasCreate, {"name": "a", "function_id": "f", "function_version": " 2 "},
     {"name": "a", "function_id": "f", "function_version": 2}),
    (AliasUpdate, {"function_version": 0, "name": "ignored"}, {"function_version": 0}),
    (VersionCreate, {}, {}),
    (Scale, {"count": "007"}, {"count": 7}),
    (FunctionCreate, {"code": {"source": "image", "image": "a"}, "cpu": 100, "timeout": "5",
                      "runtime_id": None},
     {"code": '{"source": "image", "image": "a"}', "cpu": "100", "timeout": "5"}),
    (FunctionUpdate, {"swift": {"object": "o"}, "source": "swift", "runtime_id": "r"},
     {"swift": '{"object": "o"}', "source": "swift"}),
])
def test_good_bodies_are_typed_and_trimmed(schema, body, loaded):
    assert validation.load(schema, body) == loaded


INTEGER, STRING, RANGE = ("an integer is required.", "a string is required.",
                          "the integer is out of range.")


@pytest.mark.parametrize("schema, body, field, problem", [
    (ExecutionCreate, {"function_version": True}, "function_version", INTEGER),
    (ExecutionCreate, {"function_version": 1.0}, "function_version", INTEGER),
    (ExecutionCreate, {"function_version": "1"}, "function_version", INTEGER),
    (ExecutionCreate, {"function_version": BIG}, "function_version", RANGE),
    (ExecutionCreate, {"function_version": -BIG - 1}, "function_version", RANGE),
    (ExecutionCreate, {"sync": 1}, "sync", "a boolean is required."),
    (ExecutionCreate, {"sync": "true"}, "sync", "a boolean is required."),
    (ExecutionCreate, {"input": 5}, "input", "a string or a JSON object is required."),
    (ExecutionCreate, {"function_alias": ["p"]}, "function_alias", STRING),
    (AliasCreate, {"function_version": "1e3"}, "function_version", INTEGER),
    (AliasCreate, {"function_version": "1" * 19}, "function_version", INTEGER),
    (AliasUpdate, {"function_version": BIG}, "function_version", RANGE),
    (AliasUpdate, {"description": False}, "description", STRING),
    (VersionCreate, {"description": ["v"]}, "description", STRING),
    (Scale, {"count": False}, "count", INTEGER),
    (FunctionCreate, {"code": [1]}, "code", "a string or a JSON object is required."),
    (FunctionCreate, {"timeout": True}, "timeout", STRING),
    (FunctionCreate, {"memory_size": BIG}, "memory_size", RANGE),
    (FunctionCreate, {"name": 5}, "name", STRING),
    (FunctionUpdate, {"swift": "s", "source": {"a": 1}}, "source", STRING),
])
def test_a_wrong_type_names_its_field(schema, body, field, problem):
    assert refusal(schema, body) == f"Invalid value of '{field}': {problem}"


def test_the_first_bad_field_in_the_schema_s_order_is_named():
    body = {"description": 1, "function_id": 2}
    assert refusal(ExecutionCreate, body) == "Invalid value of 'function_id': a string is required."


@pytest.mark.parametrize("body", [{}, {"count": None}, {"other": 3}])
def test_a_missing_count_is_qinlings_required_message(body):
    assert refusal(Scale, body) == "Required param is missing. Required: {'count'}"


def test_fields_a_service_requires_are_not_checked_here():
    """``name``/``function_id`` of an alias and ``code`` of a function: the service's rule."""
    assert validation.load(AliasCreate, {}) == {}
    assert validation.load(FunctionCreate, {"name": "n"}) == {"name": "n"}


@pytest.mark.parametrize("raw, message", [
    (b"{", "Malformed JSON request body."),
    (b"\xff", "Malformed JSON request body."),
    (b"[]", "Malformed JSON request body: a JSON object is expected."),
    (b"null", "Malformed JSON request body: a JSON object is expected."),
])
def test_a_body_that_is_not_a_json_object(raw, message):
    with pytest.raises(InvalidInput, match=f"^{message}$".replace(".", r"\.")):
        validation.json_object(raw)


def test_field_names_are_the_schema_s_in_order():
    assert validation.field_names(FunctionUpdate) == (
        "code", "source", "swift", "name", "description", "entry", "cpu", "memory_size",
        "timeout", "max_retries")
