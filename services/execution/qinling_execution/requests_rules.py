"""Pure rules for execution requests: field types, defaults and Qinling's input parsing."""
import json

from qinling_shared.exceptions import InvalidInput

POSITIONAL = "__function_input"


def _typed(values, name, kinds, label):
    value = values.get(name)
    if value is not None and (not isinstance(value, kinds) or
                              (isinstance(value, bool) and bool not in kinds)):
        raise InvalidInput(f"Invalid {name}: {label} is required.")
    return value


def new_execution(values):
    """Validate ``POST /v1/executions``; return clean values with defaults."""
    if not isinstance(values, dict):
        raise InvalidInput("Invalid request body: a JSON object is required.")
    function_id = _typed(values, "function_id", (str,), "a string")
    alias = _typed(values, "function_alias", (str,), "a string")
    if not function_id and not alias:
        raise InvalidInput("Either function_alias or function_id must be provided.")
    version = _typed(values, "function_version", (int,), "an integer") or 0
    if version < 0:
        raise InvalidInput("Invalid function_version: it must not be negative.")
    sync = _typed(values, "sync", (bool,), "a boolean")
    description = _typed(values, "description", (str,), "a string")
    if description is not None and len(description) > 255:
        raise InvalidInput("Invalid description: at most 255 characters.")
    return {
        "function_id": function_id, "function_alias": alias, "function_version": version,
        "sync": True if sync is None else sync, "description": description,
        "input": parse_input(values.get("input")),
    }


def parse_input(raw):
    """Qinling's rule: a JSON object becomes keyword arguments, anything else one positional.

    ``input`` is normally a string holding JSON; an object sent directly is accepted too.
    """
    if raw is None or isinstance(raw, dict):
        return raw
    if not isinstance(raw, str):
        raw = json.dumps(raw)
    try:
        decoded = json.loads(raw)
    except ValueError:
        decoded = None
    if isinstance(decoded, dict):
        return decoded
    return {POSITIONAL: raw}


IDEMPOTENCY_KEY_LENGTH = 255


def idempotency_key(raw):
    """The ``Idempotency-Key`` of a request: ``None`` when absent or empty, else printable
    ASCII of at most 255 characters."""
    if raw is None or raw == "":
        return None
    if (not isinstance(raw, str) or len(raw) > IDEMPOTENCY_KEY_LENGTH
            or not (raw.isascii() and raw.isprintable())):
        raise InvalidInput("Invalid Idempotency-Key: at most 255 printable ASCII characters "
                           "are allowed.")
    return raw
