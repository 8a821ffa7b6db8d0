"""Pure decisions about function versions and version numbers (Qinling's messages).

Fixes Qinling's bugs (docs/compatibility.md): a version snapshots the whole configuration, so
a configuration change alone makes a new version possible; the maximum is configurable;
numbers come from a counter that only grows, so they are never reused.
"""
from qinling_shared.exceptions import Forbidden, InvalidInput

PACKAGE_ONLY = "Function versioning only allowed for package type function."


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
