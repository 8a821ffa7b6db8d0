"""Request-shape checks of the gateway (pure): JSON bodies, field types, required fields.

Business rules (ranges, existence, states) belong to the services; this module only makes
sure that what reaches them has the shape the API documents.
"""
import json
import re

from qinling_shared.exceptions import InvalidInput

DIGITS = re.compile(r"[0-9]{1,18}")
INT_RANGE = range(-2 ** 63, 2 ** 63)  # what a database integer column holds
TRUE_TEXTS = ("true", "1", "yes", "on", "y", "t")
TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", dict: "a JSON object"}


def json_object(raw):
    """The JSON object in a request body (bytes)."""
    try:
        body = json.loads(raw)
    except ValueError:  # UnicodeDecodeError is a ValueError too
        raise InvalidInput("Malformed JSON request body.") from None
    if not isinstance(body, dict):
        raise InvalidInput("Malformed JSON request body: a JSON object is expected.")
    return body


def is_of(value, types):
    if isinstance(value, bool) and bool not in types:
        return False  # JSON true is not an integer here
    return isinstance(value, types)


def check_types(body, field_types):
    """Each present, non-null field must have one of its types; unknown fields are dropped.

    ``field_types`` maps a field name to a tuple of Python types.
    """
    for name, types in field_types.items():
        value = body.get(name)
        if value is not None and not is_of(value, types):
            expected = " or ".join(TYPE_NAMES[t] for t in types)
            raise InvalidInput(f"Invalid value of '{name}': {expected} is required.")
        if is_of(value, (int,)) and value not in INT_RANGE:
            raise InvalidInput(f"Invalid value of '{name}': the integer is out of range.")
    return {name: body[name] for name in field_types if body.get(name) is not None}


def json_object_or_empty(raw):
    """Like ``json_object``, but an empty body is an empty object."""
    return json_object(raw) if raw.strip() else {}


def require(values, names):
    """Qinling's message for missing parameters: ``Required: {'name', 'function_id'}``
    (it names the whole required set; here always in the order given)."""
    if any(values.get(name) is None for name in names):
        listed = ", ".join(repr(name) for name in names)
        raise InvalidInput(f"Required param is missing. Required: {{{listed}}}")


def integer_text(values, name):
    """``values`` with ``values[name]`` as an int when it is digits (the CLI sends
    ``"function_version": "1"``); any other string is a 400."""
    value = values.get(name)
    if not isinstance(value, str):
        return values
    if not DIGITS.fullmatch(value.strip()):
        raise InvalidInput(f"Invalid value of '{name}': an integer is required.")
    return {**values, name: int(value)}


def is_true(raw):
    """A query flag as Qinling read it (``strutils.bool_from_string``): true/1/yes/on/y/t."""
    return str(raw).strip().lower() in TRUE_TEXTS
