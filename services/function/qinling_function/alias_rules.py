"""Pure validation of function aliases, with Qinling's messages (its fixes: docs/compatibility.md)."""
from qinling_shared.exceptions import InvalidInput
from qinling_shared.versions import field as version

from qinling_function import rules

# Qinling prints its POST_REQUIRED set; a set's order varies, so the text is fixed here.
REQUIRED = "Required param is missing. Required: {'name', 'function_id'}"
UPDATE_ALLOWED = ("function_id", "function_version", "description")


def new_alias(values):
    """``{name, function_id, function_version, description}`` from ``POST /v1/aliases``."""
    if not isinstance(values, dict):
        raise InvalidInput("Invalid request: an object of fields is required.")
    if values.get("name") in (None, "") or values.get("function_id") in (None, ""):
        raise InvalidInput(REQUIRED)
    return {"name": name(values["name"]), "function_id": function_id(values["function_id"]),
            "function_version": version(values.get("function_version")),
            "description": rules.text(values, "description")}


def alias_changes(values):
    """The non-null ``function_id``, ``function_version`` and ``description`` of a PUT."""
    if not isinstance(values, dict):
        raise InvalidInput("Invalid request: an object of fields is required.")
    changes = {}
    if values.get("function_id") is not None:
        changes["function_id"] = function_id(values["function_id"])
    if values.get("function_version") is not None:
        changes["function_version"] = version(values["function_version"])
    if values.get("description") is not None:
        changes["description"] = rules.text(values, "description")
    return changes


def name(value):
    """A name that fits the column and the ``/v1/aliases/{name}`` path."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("Invalid name: a non-empty string is required.")
    if len(value) > 255 or "/" in value:
        raise InvalidInput("Invalid name: at most 255 characters, without '/'.")
    return value


def function_id(value):
    if not isinstance(value, str) or not value or len(value) > 36:
        raise InvalidInput("Invalid function_id: a function id is required.")
    return value
