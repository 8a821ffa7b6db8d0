import pytest

from qinling_shared.exceptions import InvalidInput

from qinling_execution.requests_rules import new_execution, parse_input


def test_defaults():
    clean = new_execution({"function_id": "f"})
    assert clean == {"function_id": "f", "function_alias": None, "function_version": 0,
                     "sync": True, "description": None, "input": None}


@pytest.mark.parametrize("raw,stored", [
    ('{"name": "x"}', {"name": "x"}),
    ({"name": "x"}, {"name": "x"}),
    ("Qinling", {"__function_input": "Qinling"}),
    ("42", {"__function_input": "42"}),
    ('["a", 1]', {"__function_input": '["a", 1]'}),
    (None, None),
])
def test_input_rule(raw, stored):
    assert parse_input(raw) == stored


@pytest.mark.parametrize("values,message", [
    ({}, "Either function_alias or function_id must be provided."),
    ({"function_id": 1}, "Invalid function_id: a string is required."),
    ({"function_id": "f", "sync": "yes"}, "Invalid sync: a boolean is required."),
    ({"function_id": "f", "function_version": "1"}, "Invalid function_version: an integer is required."),
    ({"function_id": "f", "function_version": True}, "Invalid function_version: an integer is required."),
    ({"function_id": "f", "function_version": -1}, "Invalid function_version: it must not be negative."),
    ({"function_id": "f", "description": "d" * 256}, "Invalid description: at most 255 characters."),
    (["function_id"], "Invalid request body: a JSON object is required."),
])
def test_refused(values, message):
    with pytest.raises(InvalidInput) as err:
        new_execution(values)
    assert str(err.value) == message
