"""Request-shape checks of the gateway (pure): JSON bodies, field types, required fields.

Business rules (ranges, existence, states) belong to the services; this module only makes
sure that what reaches them has the shape the API documents.
"""
import json

from qinling_shared.exceptions import InvalidInput

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
    return {name: body[name] for name in field_types if body.get(name) is not None}


def require(values, names):
    """Qinling's message for missing parameters (it names the whole required set)."""
    if any(values.get(name) is None for name in names):
        raise InvalidInput(f"Required param is missing. Required: {set(names)}")


def require_function_reference(values):
    if values.get("function_id") is None and values.get("function_alias") is None:
        raise InvalidInput("Either function_alias or function_id must be provided.")
