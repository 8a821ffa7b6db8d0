import pytest

from qinling_shared.exceptions import InvalidInput

from qinling_function import alias_rules

REQUIRED = "Required param is missing. Required: {'name', 'function_id'}"


@pytest.mark.parametrize("values", [{}, {"name": "a"}, {"function_id": "f"},
                                    {"name": "", "function_id": "f"},
                                    {"name": "a", "function_id": None}])
def test_name_and_function_required(values):
    with pytest.raises(InvalidInput) as err:
        alias_rules.new_alias(values)
    assert str(err.value) == REQUIRED


def test_defaults():
    assert alias_rules.new_alias({"name": "a", "function_id": "f"}) == \
        {"name": "a", "function_id": "f", "function_version": 0, "description": None}


@pytest.mark.parametrize("field,value,message", [
    ("name", "a/b", "Invalid name: at most 255 characters, without '/'."),
    ("name", "x" * 256, "Invalid name: at most 255 characters, without '/'."),
    ("name", 5, "Invalid name: a non-empty string is required."),
    ("function_id", ["f"], "Invalid function_id: a function id is required."),
    ("function_version", "one", "Invalid function_version: a non-negative integer is required."),
    ("function_version", -1, "Invalid function_version: a non-negative integer is required."),
    ("description", 7, "Invalid description: a string is required."),
])
def test_bad_values(field, value, message):
    with pytest.raises(InvalidInput) as err:
        alias_rules.new_alias({"name": "a", "function_id": "f", field: value})
    assert str(err.value) == message


def test_changes_keep_only_non_null_allowed_fields():
    # the CLI sends the version as a string and nulls for what it does not change
    changes = alias_rules.alias_changes({"function_id": None, "function_version": "2",
                                         "description": None, "name": "renamed"})
    assert changes == {"function_version": 2}
