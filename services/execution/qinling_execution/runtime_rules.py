"""Pure validation of runtime requests."""
from qinling_shared.exceptions import InvalidInput

UPDATE_ALLOWED = ("name", "description", "image")


def new_runtime(values):
    if not isinstance(values, dict):
        raise InvalidInput("Invalid request body: a JSON object is required.")
    if not values.get("image"):
        raise InvalidInput("Required param is missing. Required: {'image'}")
    clean = {}
    for name, kind, label in (("image", str, "a string"), ("name", str, "a string"),
                              ("description", str, "a string"), ("is_public", bool, "a boolean"),
                              ("trusted", bool, "a boolean")):
        clean[name] = _checked(values, name, kind, label)
    for flag in ("is_public", "trusted"):
        clean[flag] = True if clean[flag] is None else clean[flag]
    return clean


def runtime_update(values):
    """Qinling's update rule: only ``name``, ``description`` and ``image`` are applied, and only
    those given with a value (``null`` and other keys are ignored)."""
    if not isinstance(values, dict):
        raise InvalidInput("Invalid request body: a JSON object is required.")
    clean = {name: _checked(values, name, str, "a string") for name in UPDATE_ALLOWED}
    if clean["image"] == "":
        raise InvalidInput("Invalid image: a non-empty string is required.")
    return {name: value for name, value in clean.items() if value is not None}


def _checked(values, name, kind, label):
    value = values.get(name)
    if value is not None and not isinstance(value, kind):
        raise InvalidInput(f"Invalid {name}: {label} is required.")
    if isinstance(value, str) and len(value) > 255:
        raise InvalidInput(f"Invalid {name}: at most 255 characters.")
    return value
