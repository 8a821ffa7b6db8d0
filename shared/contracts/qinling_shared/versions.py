"""Function version numbers on the wire: what every service that takes one accepts."""
import re

from qinling_shared.exceptions import InvalidInput

DIGITS = re.compile(r"[0-9]{1,10}")
MAX_NUMBER = 2 ** 31 - 1  # what the version columns hold


def number(raw):
    """A version number (0: the function's live code) from the wire: an int, or its digits
    as text (the ``{version}`` of a URL path as the gateway passes it on, a CLI's ``"1"``).
    ``InvalidInput`` with Qinling's message otherwise."""
    if isinstance(raw, str) and DIGITS.fullmatch(raw.strip()):
        value = int(raw)
    else:
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else -1
    if not 0 <= value <= MAX_NUMBER:
        raise InvalidInput(f"Invalid function version {raw!r}: a non-negative integer "
                           "is required.")
    return value


def field(raw):
    """The ``function_version`` field of a request that names a target (an alias, a
    webhook): 0 when absent, else a version number; ``InvalidInput`` naming the field."""
    if raw is None:
        return 0
    try:
        return number(raw)
    except InvalidInput:
        raise InvalidInput("Invalid function_version: a non-negative integer is required.") \
            from None
