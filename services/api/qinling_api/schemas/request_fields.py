"""Marshmallow fields with the gateway's shape rules and Qinling's messages.

Each error message is the tail of ``Invalid value of '<field>': <message>`` (see
``validation.load``); ``MISSING`` marks a required field that is absent or null, which
``validation.load`` turns into Qinling's ``Required param is missing. Required: {...}``.
A field whose OpenAPI form is not a single JSON type carries it in ``openapi`` (read by
``qinling_api.openapi.document``).
"""
import json
import math
import re

from marshmallow import fields, validate

from qinling_shared.versions import MAX_NUMBER

MISSING = "missing"
MAX_VERSION = MAX_NUMBER         # a function version number, as the services accept it
INT64 = (-2 ** 63, 2 ** 63 - 1)  # what a database integer column holds
OUT_OF_RANGE = "the integer is out of range."
DIGITS = re.compile(r"\s*[0-9]{1,18}\s*")


def messages(invalid):
    """Error messages of a request field: ``invalid`` for a wrong type."""
    return {"invalid": invalid, "required": MISSING, "null": MISSING}


class Text(fields.String):
    """A JSON string."""

    def __init__(self, **kwargs):
        super().__init__(error_messages=messages("a string is required."), **kwargs)


class Flag(fields.Boolean):
    """JSON ``true`` or ``false`` only (marshmallow's Boolean also takes ``"yes"``, 1...)."""

    def __init__(self, **kwargs):
        super().__init__(error_messages=messages("a boolean is required."), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Int64(fields.Integer):
    """A JSON integer that fits a 64-bit column (``true`` and ``1.0`` are not integers)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, error_messages=messages("an integer is required."),
                         validate=validate.Range(*INT64, error=OUT_OF_RANGE), **kwargs)


class Union(fields.Field):
    """Base of fields whose value may be one of several JSON types."""

    openapi = {}

    def __init__(self, invalid, **kwargs):
        super().__init__(error_messages=messages(invalid), **kwargs)


class IntegerOrDigits(Union):
    """An integer, or its digits as a string (the CLI sends ``"function_version": "1"``)."""

    openapi = {"anyOf": [
        {"type": "integer", "minimum": INT64[0], "maximum": INT64[1]},
        {"type": "string", "pattern": r"^\s*[0-9]{1,18}\s*$"}]}

    default_error_messages = {"range": OUT_OF_RANGE}

    def __init__(self, **kwargs):
        super().__init__("an integer is required.", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and DIGITS.fullmatch(value):
            return int(value)  # at most 18 digits: within range
        if isinstance(value, int) and not isinstance(value, bool):
            if not INT64[0] <= value <= INT64[1]:
                raise self.make_error("range")
            return value
        raise self.make_error("invalid")


class TextOrObject(Union):
    """A string or a JSON object, passed on as it came (an execution's ``input``)."""

    openapi = {"anyOf": [{"type": "string"}, {"type": "object"}]}

    def __init__(self, **kwargs):
        super().__init__("a string or a JSON object is required.", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (str, dict)):
            return value
        raise self.make_error("invalid")


class FormObject(TextOrObject):
    """A form field holding a JSON object: JSON text, or in a JSON body the object itself,
    passed on as JSON text (as a form carries it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return value if isinstance(value, str) else json.dumps(value)


class FormInteger(Union):
    """A form field holding an integer: text, or in a JSON body an integer, passed on as
    text (the owning service reads the number and checks its range)."""

    openapi = {"anyOf": [{"type": "string"},
                         {"type": "integer", "minimum": INT64[0], "maximum": INT64[1]}]}

    default_error_messages = {"range": OUT_OF_RANGE}

    def __init__(self, **kwargs):  # Qinling's forms carry text: the message says so
        super().__init__("a string is required.", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if not INT64[0] <= value <= INT64[1]:
                raise self.make_error("range")
            return str(value)
        raise self.make_error("invalid")


class TextList(fields.List):
    """A JSON array of strings (``item_metadata`` documents each string)."""

    def __init__(self, item_metadata=None, **kwargs):
        super().__init__(fields.String(metadata=item_metadata or {}),
                         error_messages=messages("a list of strings is required."), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.make_error("invalid")
        return list(value)


class Scalar(Union):
    """A JSON string, number, boolean or null (documents the values of ``ScalarObject``)."""

    openapi = {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}

    def __init__(self, **kwargs):
        super().__init__("a string, number, boolean or null is required.", allow_none=True,
                         **kwargs)


def is_scalar(value):
    """Whether ``value`` is a JSON scalar (``NaN`` and infinities are no JSON numbers)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


class ScalarObject(fields.Dict):
    """A JSON object whose values are strings, numbers, booleans or nulls."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=Scalar(), error_messages=messages(
            "an object of strings, numbers, booleans or nulls is required."), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict) or not all(map(is_scalar, value.values())):
            raise self.make_error("invalid")
        return dict(value)
