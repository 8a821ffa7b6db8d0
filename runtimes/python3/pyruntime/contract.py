"""The worker contract as the runtime sees it: the /execute request and the texts users see.

Texts that Qinling's tempest suite checks are kept word for word.
"""
import re
from collections import namedtuple

TIMEOUT_MESSAGE = "Function execution timeout."
RESOURCE_MESSAGE = "Function execution failed because of too much resource consumption"
DEFAULT_ENTRY = "main.main"
DEFAULT_TIMEOUT = 5

_HEX = re.compile(r"^[0-9a-f]+$")

ExecuteRequest = namedtuple("ExecuteRequest", [
    "execution_id", "function_id", "function_version", "entry", "input", "timeout",
    "cpu", "memory_size", "package_url", "package_sha256", "package_md5", "openstack",
])


class BadRequest(ValueError):
    """The body of a request is not what the contract says."""

    status = 400


def parse_execute(body):
    """Validate a decoded /execute body and return an :class:`ExecuteRequest`.

    The package is identified by ``package_sha256``, or by ``package_md5`` alone when no
    sha256 is known (Swift-sourced code); when both are given both are checked.
    """
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    request = ExecuteRequest(
        execution_id=_text(body, "execution_id"),
        function_id=_text(body, "function_id", default=""),
        function_version=_integer(body, "function_version", default=0, minimum=0),
        entry=_text(body, "entry", default=DEFAULT_ENTRY) or DEFAULT_ENTRY,
        input=body.get("input"),
        timeout=_seconds(body, "timeout"),
        cpu=_integer(body, "cpu", default=None, minimum=1),
        memory_size=_integer(body, "memory_size", default=None, minimum=1),
        package_url=_url(body, "package_url"),
        package_sha256=_digest(body, "package_sha256", digits=64),
        package_md5=_digest(body, "package_md5", digits=32),
        openstack=_openstack(body),
    )
    if request.package_sha256 is None and request.package_md5 is None:
        raise BadRequest("'package_sha256' or 'package_md5' is required.")
    return request


def download_failure(url, error):
    """The result of an execution whose package could not be fetched."""
    return {
        "output": f"Failed to download function package from {url}, error: {error}",
        "success": False, "duration": 0, "logs": "",
    }


def unpack_failure(error):
    """The result of an execution whose package was fetched but could not be unpacked."""
    return {"output": f"Function package could not be unpacked: {error}",
            "success": False, "duration": 0, "logs": ""}


def _openstack(body):
    """The run's OpenStack access, ``{"token", "auth_url", "region_name", "token_data"}``
    (the token's data from Keystone, when the execution service has it), or ``None``."""
    value = body.get("openstack")
    if value is None:
        return None
    if not (isinstance(value, dict) and all(isinstance(value.get(key), str) and value[key]
                                            for key in ("token", "auth_url"))):
        raise BadRequest("'openstack' must be an object with a 'token' and an 'auth_url'.")
    region = value.get("region_name")
    if region is not None and not isinstance(region, str):
        raise BadRequest("'openstack.region_name' must be a string.")
    data = value.get("token_data")
    if data is not None and not isinstance(data, dict):
        raise BadRequest("'openstack.token_data' must be an object.")
    return {"token": value["token"], "auth_url": value["auth_url"], "region_name": region,
            "token_data": data}


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


def _digest(body, key, digits):
    """A lower-case hex digest, or ``None`` when absent."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != digits or not _HEX.match(value.lower()):
        raise BadRequest(f"'{key}' must be {digits} hexadecimal digits.")
    return value.lower()
