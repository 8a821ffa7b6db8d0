import pytest

from qinling_shared import fields
from qinling_shared.exceptions import InvalidInput


@pytest.mark.parametrize("values,max_length,expected", [
    ({}, 255, None), ({"name": None}, 255, None), ({"name": ""}, 255, ""),
    ({"name": "n" * 255}, 255, "n" * 255), ({"name": "n" * 36}, 36, "n" * 36),
    ({"name": "n" * 5000}, None, "n" * 5000),
])
def test_text(values, max_length, expected):
    assert fields.text(values, "name", max_length) == expected


def test_text_is_at_most_255_characters_by_default():
    assert fields.text({"name": "n" * 255}, "name") == "n" * 255
    with pytest.raises(InvalidInput) as err:
        fields.text({"name": "n" * 256}, "name")
    assert str(err.value) == "Invalid name: at most 255 characters."


@pytest.mark.parametrize("values,max_length,message", [
    ({"name": "n" * 37}, 36, "Invalid name: at most 36 characters."),
    ({"name": 3}, 255, "Invalid name: a string is required."),
    ({"name": {"a": 1}}, None, "Invalid name: a string is required."),
])
def test_bad_text_names_the_field(values, max_length, message):
    with pytest.raises(InvalidInput) as err:
        fields.text(values, "name", max_length)
    assert str(err.value) == message
