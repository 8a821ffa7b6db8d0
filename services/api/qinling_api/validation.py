"""Request-shape checks of the gateway (pure): JSON bodies, loaded with the API's schemas.

Business rules (ranges, existence, states, the required fields a service owns) belong to the
services; this module only makes sure that what reaches them has the shape the API documents
(``qinling_api.schemas``), and words a refusal as Qinling did.
"""
import functools

from marshmallow import ValidationError

from qinling_api.schemas.request_fields import MISSING
from qinling_shared import jsontext
from qinling_shared.exceptions import InvalidInput

TRUE_TEXTS = ("true", "1", "yes", "on", "y", "t")
MALFORMED_JSON = "Malformed JSON request body"
NOT_AN_OBJECT = "Malformed JSON request body: a JSON object is expected."


def json_object(raw):
    """The JSON object in a request body (bytes); too deep a nesting or a lone surrogate
    is refused by ``jsontext`` (the request guard's limits, ``services/api/README.md``)."""
    try:
        body = jsontext.loads(raw, MALFORMED_JSON)
    except ValueError:  # UnicodeDecodeError is a ValueError too
        raise InvalidInput(MALFORMED_JSON + ".") from None
    if not isinstance(body, dict):
        raise InvalidInput(NOT_AN_OBJECT)
    return body


def json_object_or_empty(raw):
    """Like ``json_object``, but an empty body is an empty object."""
    return json_object(raw) if raw.strip() else {}


@functools.cache
def _instance(schema):
    return schema()


def field_names(schema):
    """The fields the request schema class ``schema`` declares, in its order."""
    return tuple(_instance(schema).fields)


def load(schema, body):
    """``body`` (a dict) loaded with the request schema class ``schema``: the fields it
    declares, typed, null ones dropped; ``InvalidInput`` naming the first bad field."""
    try:
        return _instance(schema).load(body)
    except ValidationError as error:
        raise InvalidInput(message(schema, error.messages)) from None


def message(schema, errors):
    """Qinling's words for marshmallow's ``errors`` (field name → messages)."""
    for name in _instance(schema).fields:
        if name in errors:
            problem = errors[name][0] if isinstance(errors[name], list) else errors[name]
            if problem == MISSING:
                return required_message(schema)
            return f"Invalid value of '{name}': {problem}"
    return NOT_AN_OBJECT


def required_message(schema):
    """Qinling's message for missing parameters: ``Required: {'name', 'function_id'}``
    (it names the whole required set; here in the schema's order)."""
    names = [name for name, field in _instance(schema).fields.items() if field.required]
    return f"Required param is missing. Required: {{{', '.join(map(repr, names))}}}"


def is_true(raw):
    """A query flag as Qinling read it (``strutils.bool_from_string``): true/1/yes/on/y/t."""
    return str(raw).strip().lower() in TRUE_TEXTS
