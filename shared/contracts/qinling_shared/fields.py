"""Checks of request fields that every service's rules share."""
from qinling_shared.exceptions import InvalidInput

TEXT_LENGTH = 255


def text(values, name, max_length=TEXT_LENGTH):
    """``values[name]``: ``None`` when absent or null, else a string of at most
    ``max_length`` characters (any length when it is ``None``); ``InvalidInput`` naming the
    field otherwise."""
    value = values.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"Invalid {name}: a string is required.")
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(f"Invalid {name}: at most {max_length} characters.")
    return value
