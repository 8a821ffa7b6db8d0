"""The worker contract as the runtime sees it: the /execute request and the texts users see.

Texts that Qinling's tempest suite checks are kept word for word.
"""
import re
from collections import namedtuple

TIMEOUT_MESSAGE = "Function execution timeout."
RESOURCE_MESSAGE = "Function execution failed because of too much resource consumption"
DEFAULT_ENTRY = "main.main"
DEFAULT_TIMEOUT = 5

_SHA256 = re.compile(r"^[0-9a-f]{64}$")

ExecuteRequest = namedtuple("ExecuteRequest", [
    "execution_id", "function_id", "function_version", "entry", "input", "timeout",
    "cpu", "memory_size", "package_url", "package_sha256",
])


class BadRequest(ValueError):
    """The body of a request is not what the contract says."""

    status = 400


def parse_execute(body):
    """Validate a decoded /execute body and return an :class:`ExecuteRequest`."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return ExecuteRequest(
        execution_id=_text(body, "execution_id"),
        function_id=_text(body, "function_id", default=""),
        function_version=_integer(body, "function_version", default=0, minimum=0),
        entry=_text(body, "entry", default=DEFAULT_ENTRY) or DEFAULT_ENTRY,
        input=body.get("input"),
        timeout=_seconds(body, "timeout"),
        cpu=_integer(body, "cpu", default=None, minimum=1),
        memory_size=_integer(body, "memory_size", default=None, minimum=1),
        package_url=_url(body, "package_url"),
        package_sha256=_sha256(body, "package_sha256"),
    )


def download_failure(url, error):
    """The result of an execution whose package could not be fetched."""
    return {
        "output": f"Failed to download function package from {url}, error: {error}",
        "success": False, "duration": 0, "logs": "",
    }


def _text(body, key, default=None):
    value = body.get(key)
    if value is None:
        if default is None:
            raise BadRequest(f"'{key}' is required.")
        return default
    if not isinstance(value, str):
        raise BadRequest(f"'{key}' must be a string.")
    return value


def _integer(body, key, default, minimum):
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise BadRequest(f"'{key}' must be an integer of at least {minimum}.")
    return value


def _seconds(body, key):
    value = body.get(key)
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise BadRequest(f"'{key}' must be a positive number of seconds.")
    return value


def _url(body, key):
    value = _text(body, key)
    if not value.startswith(("http://", "https://")):
        raise BadRequest(f"'{key}' must be an http or https URL.")
    return value


def _sha256(body, key):
    value = _text(body, key).lower()
    if not _SHA256.match(value):
        raise BadRequest(f"'{key}' must be 64 hexadecimal digits.")
    return value
