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


# The shape (a JSON object, each field of its type) is the gateway's to check:
# services/api/tests/unit/test_executions.py
@pytest.mark.parametrize("values,message", [
    ({}, "Either function_alias or function_id must be provided."),
    ({"function_alias": "", "function_id": ""},
     "Either function_alias or function_id must be provided."),
    ({"function_id": "f", "function_version": -1},
     "Invalid function_version: it must not be negative."),
    ({"function_id": "f", "description": "d" * 256},
     "Invalid description: at most 255 characters."),
    ({"function_id": "f", "input": "[" * 3000 + "]" * 3000},                       # D2
     "Invalid input: JSON nesting too deep (max 64)."),
    ({"function_id": "f", "input": '{"a": "\\ud800"}'},
     "Invalid input: invalid Unicode (a lone surrogate)."),
])
def test_refused(values, message):
    with pytest.raises(InvalidInput) as err:
        new_execution(values)
    assert str(err.value) == message


def test_an_alias_and_a_version_are_kept():
    clean = new_execution({"function_alias": "prod", "function_version": 2, "sync": False,
                           "description": "d" * 255})
    assert (clean["function_alias"], clean["function_version"], clean["sync"]) == (
        "prod", 2, False)
