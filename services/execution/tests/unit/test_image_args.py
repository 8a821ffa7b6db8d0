"""An execution's input, as stored, to its image function's container arguments."""
import pytest

from qinling_execution.image_args import arguments
from qinling_execution.requests_rules import parse_input


@pytest.mark.parametrize("raw, args", [
    (None, ()),
    ("Qinling", ("Qinling",)),                          # tempest: plain text
    ("6", ("6",)),                                      # tempest: a JSON number
    ("  sleep \t 3\n", ("sleep", "3")),                 # split on any whitespace
    ("", ()),
    ('"two words"', ('"two', 'words"')),                # a JSON string: its raw text, split
    ('["eat", 64, true, null, "a b", {"k": 1}]',
     ("eat", "64", "true", "null", "a b", '{"k": 1}')),  # one argument per element
    ("[]", ()),
    ('{"name": "Qinling", "n": [1, 2]}', ('{"name": "Qinling", "n": [1, 2]}',)),  # one: its JSON
    ('{"π": "ü"}', ('{"π": "ü"}',)),
    ("[1, 2", ("[1,", "2")),                            # not JSON: plain text
    (["a", 1], ("a", "1")),                             # a list sent as JSON, not as text
    ({"a": 1}, ('{"a": 1}',)),                           # an object sent as JSON
])
def test_input_to_arguments(raw, args):
    assert arguments(parse_input(raw)) == args


def test_arguments_are_strings():
    assert all(isinstance(arg, str) for arg in arguments(parse_input("[1.5, false]")))
