import json
import time

import pytest

from qinling_shared import jsontext
from qinling_shared.exceptions import InvalidInput

SUBJECT = "Invalid input"
TOO_DEEP = f"{SUBJECT}: JSON nesting too deep (max {jsontext.MAX_DEPTH})."
SURROGATE = f"{SUBJECT}: invalid Unicode (a lone surrogate)."


@pytest.mark.parametrize("text,depth", [
    ("1", 0), ('"a"', 0), ("[]", 1), ('{"a": [1, {"b": []}]}', 4), ("[[], [[]]]", 3),
    ('["[[[[", "}}}"]', 1),                  # brackets inside strings do not count
    (r'["\"[[[", "\\", [2]]', 2),            # escaped quotes and backslashes
    ('"[[[[', 0),                            # an unterminated string to the end
    ("[" * 100000, 100000), ("]]][[", 0),  # the decoder stops at the first stray "]"
])
def test_nesting_depth(text, depth):
    assert jsontext.nesting_depth(text) == depth


def nested(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("raw", [nested(jsontext.MAX_DEPTH), nested(64).encode(),
                                 '{"a": ' * 64 + "1" + "}" * 64])
def test_loads_takes_json_up_to_the_limit(raw):
    assert jsontext.loads(raw, SUBJECT) == json.loads(raw)


@pytest.mark.parametrize("raw", [
    nested(jsontext.MAX_DEPTH + 1), "[" * 100000, ("[" * 3000).encode(),
    '{"a": ' * 65 + "1" + "}" * 65, '{"input": "x", "a": ' + "[" * 3000])
def test_loads_refuses_deep_nesting_without_recursion(raw):
    with pytest.raises(InvalidInput) as err:
        jsontext.loads(raw, SUBJECT)
    assert str(err.value) == TOO_DEEP


@pytest.mark.parametrize("raw", [
    '"\\ud800"', '{"function_id": "\\ud800"}', '{"\\udc00": 1}', '[["a\\udfffb"]]',
    '{"a": ["\\ude00\\ud800"]}'])
def test_loads_refuses_lone_surrogates(raw):
    with pytest.raises(InvalidInput) as err:
        jsontext.loads(raw, SUBJECT)
    assert str(err.value) == SURROGATE


def test_loads_keeps_surrogate_pairs_and_other_text():
    assert jsontext.loads('{"a": "\\ud83d\\ude00 \\u00e9 \\u0000"}', SUBJECT) == {
        "a": "\U0001F600 \u00e9 \x00"}


@pytest.mark.parametrize("raw", ["", "[1,", b"\xff\xfe\xff", b'"\xed\xa0\x80"', "nan?",
                                 "1" * 5000])
def test_loads_leaves_text_that_is_not_json_to_the_caller(raw):
    with pytest.raises(ValueError):
        jsontext.loads(raw, SUBJECT)


def test_the_depth_scan_is_linear_on_hostile_text():
    """Unterminated strings and escapes (the worst case of a naive string regex) stay fast."""
    hostile = '"\\"' * 300000 + '"\\' * 300000
    started = time.monotonic()
    jsontext.nesting_depth(hostile + "[" * 100)
    assert time.monotonic() - started < 1.0
