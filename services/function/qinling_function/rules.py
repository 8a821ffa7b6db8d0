"""Pure validation of function definitions, in Qinling's order and with its messages.

No I/O here: the service gives the values it received and the configured limits, and gets
back clean values or an ``InvalidInput``.
"""
from qinling_shared import jsontext
from qinling_shared.exceptions import InvalidInput
from qinling_shared.fields import text

SOURCES = ("package", "swift", "image")
DEFAULT_ENTRY = "main.main"
# (field, name used in messages, unit)
LIMITS = (("timeout", "timeout", "seconds"), ("cpu", "cpu", "millicpu"),
          ("memory_size", "memory", "bytes"))
MAX_RETRIES_LIMIT = 10


def require(values, *names):
    missing = {n for n in names if values.get(n) in (None, "")}
    if missing:
        raise InvalidInput(f"Required param is missing. Required: {missing}")


def resource(value, name, unit, limits):
    """One resource limit: default when absent, else an int within [min, max]."""
    if value in (None, ""):
        return limits[f"default_{name}"]
    if isinstance(value, bool):
        value = None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"Invalid {name} resource specified. An integer is required.") from None
    low, high = limits[f"min_{name}"], limits[f"max_{name}"]
    if not low <= number <= high:
        raise InvalidInput(f"{name} resource limitation not within the allowable range: "
                           f"{low} ~ {high}({unit}).")
    return number


def max_retries(value):
    """A function's own maximum of retries of its asynchronous executions after platform
    failures: ``None`` when absent or empty (the execution service's default), else 0–10."""
    if value in (None, ""):
        return None
    try:
        number = int(value) if not isinstance(value, bool) else -1
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= MAX_RETRIES_LIMIT:
        raise InvalidInput(
            f"Invalid max_retries: an integer from 0 to {MAX_RETRIES_LIMIT} is required.")
    return number


def parse_code(raw):
    """``code`` arrives as a JSON string (form field) or already as an object (JSON body)."""
    if isinstance(raw, str):
        try:
            raw = jsontext.loads(raw, "Invalid code")
        except ValueError:
            raise InvalidInput("Invalid code: it must be a JSON object.") from None
    if not isinstance(raw, dict):
        raise InvalidInput("Invalid code: it must be a JSON object.")
    if raw.get("source") not in SOURCES:
        raise InvalidInput("Invalid code source specified, available sources: "
                           + ", ".join(SOURCES))
    return raw


def new_function(values, limits):
    """Validate the fields of ``POST /v1/functions``; return the clean definition."""
    require(values, "code")
    clean = {field: resource(values.get(field), name, unit, limits)
             for field, name, unit in LIMITS}
    clean["max_retries"] = max_retries(values.get("max_retries"))
    code = parse_code(values["code"])
    if code["source"] != "image" and not values.get("runtime_id"):
        raise InvalidInput('"runtime_id" must be specified.')
    if code["source"] == "image":
        if not isinstance(code.get("image"), str) or not code["image"]:
            raise InvalidInput("Required param is missing. Required: {'image'}")
        entry = None
    else:
        entry = text(values, "entry", 80) or DEFAULT_ENTRY
    clean.update(code=code, entry=entry, runtime_id=text(values, "runtime_id", 36),
                 name=text(values, "name"), description=text(values, "description"))
    return clean


def swift_location(code):
    """``(container, object)`` of a swift function's code; both are required."""
    swift = code.get("swift")
    names = (swift.get("container"), swift.get("object")) if isinstance(swift, dict) else ()
    if len(names) != 2 or not all(isinstance(n, str) and n for n in names):
        raise InvalidInput("Both container and object must be provided for swift type function.")
    return names


def swift_code(container, obj):
    return {"source": "swift", "swift": {"container": container, "object": obj}}


def swift_key(container, obj):
    """The package key the storage service signs and streams from Swift."""
    return f"swift/{container}/{obj}"


def check_package(code, package):
    """The stored upload must be present for package functions and match a given md5."""
    if code["source"] != "package":
        if package is not None:
            raise InvalidInput("A package is only accepted for package type functions.")
        return
    if package is None:
        raise InvalidInput("Required param is missing. Required: {'package'}")
    md5sum = code.get("md5sum")
    if md5sum and md5sum != package["md5sum"]:
        raise InvalidInput("Package md5 mismatch.")
