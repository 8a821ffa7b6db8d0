"""Pure validation of runtime requests."""
from qinling_shared.exceptions import InvalidInput


def new_runtime(values):
    if not isinstance(values, dict):
        raise InvalidInput("Invalid request body: a JSON object is required.")
    if not values.get("image"):
        raise InvalidInput("Required param is missing. Required: {'image'}")
    clean = {}
    for name, kind, label in (("image", str, "a string"), ("name", str, "a string"),
                              ("description", str, "a string"), ("is_public", bool, "a boolean"),
                              ("trusted", bool, "a boolean")):
        value = values.get(name)
        if value is not None and not isinstance(value, kind):
            raise InvalidInput(f"Invalid {name}: {label} is required.")
        if isinstance(value, str) and len(value) > 255:
            raise InvalidInput(f"Invalid {name}: at most 255 characters.")
        clean[name] = value
    for flag in ("is_public", "trusted"):
        clean[flag] = True if clean[flag] is None else clean[flag]
    return clean
