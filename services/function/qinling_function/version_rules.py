"""Pure decisions about function versions and version numbers (Qinling's messages).

Fixes Qinling's bugs (docs/compatibility.md): a version snapshots the whole configuration, so
a configuration change alone makes a new version possible; the maximum is configurable;
numbers come from a counter that only grows, so they are never reused.
"""
import re

from qinling_shared.exceptions import Forbidden, InvalidInput

DIGITS = re.compile(r"[0-9]{1,10}")
MAX_NUMBER = 2 ** 31 - 1  # what the version columns hold
PACKAGE_ONLY = "Function versioning only allowed for package type function."


def number(raw):
    """A version number from the wire: an int, or its digits as text (the ``{version}`` of
    a URL path as the gateway passes it on, a CLI's ``"1"``)."""
    if isinstance(raw, str) and DIGITS.fullmatch(raw.strip()):
        value = int(raw)
    else:
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else -1
    if not 0 <= value <= MAX_NUMBER:
        raise InvalidInput(f"Invalid function version {raw!r}: a non-negative integer "
                           "is required.")
    return value


def check_new_version(source, existing, latest, current, max_versions):
    """May a new version be made?

    ``existing`` = how many versions there are; ``latest`` = ``(number, snapshot)`` of the
    newest one or ``None``; ``current`` = the function's snapshot now.
    """
    if source != "package":
        raise Forbidden(PACKAGE_ONLY)
    if existing >= max_versions:
        raise Forbidden(f"Can not exceed maximum number({max_versions}) of versions")
    if latest is not None and latest[1] == current:
        raise Forbidden(f"Function package not changed since the latest version {latest[0]}.")


def not_found(function_id, version):
    return f"FunctionVersion not found [function_id={function_id}, version_number={version}]"
