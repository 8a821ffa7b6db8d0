"""Pure rules of requests to the execution service: new executions (Qinling's input parsing,
the idempotency key) and manual scaling steps.

The gateway has checked the shape of an execution body already (a JSON object, each field of
its type: ``services/api/qinling_api/views/executions.py``); the rules are this service's.
"""
import json

from qinling_shared import jsontext
from qinling_shared.exceptions import InvalidInput

POSITIONAL = "__function_input"
DESCRIPTION_LENGTH = 255
IDEMPOTENCY_KEY_LENGTH = 255
REQUEST_KEY_LENGTH = 64
MAX_SCALE_STEP = 100   # most workers one scale_up or scale_down asks for


def new_execution(values):
    """The values of ``POST /v1/executions`` with defaults, once they keep the rules."""
    function_id, alias = values.get("function_id"), values.get("function_alias")
    if not function_id and not alias:
        raise InvalidInput("Either function_alias or function_id must be provided.")
    version = values.get("function_version") or 0
    if version < 0:
        raise InvalidInput("Invalid function_version: it must not be negative.")
    description = values.get("description")
    if description is not None and len(description) > DESCRIPTION_LENGTH:
        raise InvalidInput(f"Invalid description: at most {DESCRIPTION_LENGTH} characters.")
    sync = values.get("sync")
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
        decoded = jsontext.loads(raw, "Invalid input")
    except ValueError:
        decoded = None
    if isinstance(decoded, dict):
        return decoded
    return {POSITIONAL: raw}


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


def request_key(raw):
    """The gateway's key of the request that creates an execution (one per HTTP request):
    ``None`` when absent, else printable ASCII of at most 64 characters."""
    if raw is None:
        return None
    if (not isinstance(raw, str) or not 0 < len(raw) <= REQUEST_KEY_LENGTH
            or not (raw.isascii() and raw.isprintable())):
        raise InvalidInput(f"Invalid request key: 1 to {REQUEST_KEY_LENGTH} printable ASCII "
                           "characters.")
    return raw


def scale_count(count):
    """A manual scaling step: an integer from 1 to MAX_SCALE_STEP."""
    if isinstance(count, bool) or not isinstance(count, int) or not (
            1 <= count <= MAX_SCALE_STEP):
        raise InvalidInput(f"Invalid count {count!r}: an integer from 1 to {MAX_SCALE_STEP} "
                           "is required.")
    return count
