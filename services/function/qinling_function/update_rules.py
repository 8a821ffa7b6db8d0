"""Pure decisions of ``PUT /v1/functions/{id}``, in Qinling's order and with its messages.

The real client never sends ``code`` on update: it merges the code dict's keys into the form
(``source=package`` with the file, or ``source=swift`` and ``swift=...``). Both shapes are
accepted. ``runtime_id`` and any other key are ignored, as Qinling's ``UPDATE_ALLOWED``.
"""
from qinling_shared import jsontext
from qinling_shared.exceptions import InvalidInput

from qinling_function import rules

FIELDS = ("name", "description", "entry", "cpu", "memory_size", "timeout", "max_retries")
DB_ONLY = frozenset(("name", "description", "timeout", "max_retries"))
# What an execution depends on: a change of any of these must reach the workers.
RUN_FIELDS = ("code", "entry", "cpu", "memory_size", "timeout", "package_md5")
SWIFT_UPDATE = "Either container or object must be provided for swift type function update."


def requested(values, package):
    """The changes asked for: allowed keys that carry a value; ``code`` from either shape."""
    if not isinstance(values, dict):
        raise InvalidInput("Invalid request: an object of fields is required.")
    changes = {name: values[name] for name in FIELDS if values.get(name) is not None}
    code = requested_code(values)
    if code is not None:
        changes["code"] = code
    if package is not None:
        changes["package"] = package
    return changes


def requested_code(values):
    if values.get("code") is not None:
        return json_object(values["code"], "code")
    if values.get("source") is None and values.get("swift") is None:
        return None
    code = {"source": values["source"]} if values.get("source") is not None else {}
    if values.get("swift") is not None:
        code["swift"] = json_object(values["swift"], "swift")
    return code


def json_object(raw, name):
    if isinstance(raw, str):
        try:
            raw = jsontext.loads(raw, f"Invalid {name}")
        except ValueError:
            raw = None
    if not isinstance(raw, dict):
        raise InvalidInput(f"Invalid {name}: it must be a JSON object.")
    return raw


def is_db_only(changes):
    """Only name, description, timeout or max_retries: no code or worker configuration
    changes."""
    return set(changes) <= DB_ONLY


def clean_fields(changes, limits):
    """Validated plain fields: timeout first, then (unless db-only) cpu and memory."""
    clean = {}
    if "timeout" in changes:
        clean["timeout"] = rules.resource(changes["timeout"], "timeout", "seconds", limits)
    if not is_db_only(changes):
        for field, name, unit in (("cpu", "cpu", "millicpu"), ("memory_size", "memory", "bytes")):
            if field in changes:
                clean[field] = rules.resource(changes[field], name, unit, limits)
    for name in ("name", "description"):
        if name in changes:
            clean[name] = rules.text(changes, name)
    if "entry" in changes:
        clean["entry"] = rules.text(changes, "entry", 80) or rules.DEFAULT_ENTRY
    if "max_retries" in changes:
        clean["max_retries"] = rules.max_retries(changes["max_retries"])
    return clean


def new_code(current, current_md5, changes):
    """The function's new code, or ``None`` when the code stays.

    ``current`` is the stored code; a swift result still has to be checked in Swift.
    """
    code, package = changes.get("code") or {}, changes.get("package")
    source = code.get("source")
    if source and source != current["source"]:
        raise InvalidInput("The function code type can not be changed.")
    if current["source"] == "image":
        raise InvalidInput("The image type function code can not be changed.")
    if package is not None:
        return package_code(current, current_md5, code, package)
    if current["source"] == "swift" and "swift" in code:
        return swift_code(current, code["swift"])
    return None


def package_code(current, current_md5, code, package):
    if current["source"] != "package":
        raise InvalidInput("A package is only accepted for package type functions.")
    if package["md5sum"] == current_md5:
        raise InvalidInput("The function code checksum is not changed.")
    if code.get("md5sum") and code["md5sum"] != package["md5sum"]:
        raise InvalidInput("Package md5 mismatch.")
    return {"source": "package", "md5sum": package["md5sum"]}


def swift_code(current, swift):
    """The stored container/object with the given one(s) replacing them."""
    given = {name: swift.get(name) for name in ("container", "object")} \
        if isinstance(swift, dict) else {}
    given = {name: value for name, value in given.items() if value}
    if not given:
        raise InvalidInput(SWIFT_UPDATE)
    if not all(isinstance(value, str) for value in given.values()):
        raise InvalidInput(SWIFT_UPDATE)
    merged = {**current["swift"], **given}
    return rules.swift_code(merged["container"], merged["object"])


def runs_changed(before, after):
    """Whether what an execution runs differs (``before``/``after``: field → value)."""
    return any(before.get(field) != after.get(field) for field in RUN_FIELDS)
