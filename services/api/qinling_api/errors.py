"""The one table from wire errors to HTTP status, and Qinling's error body."""
from aiohttp import web

from qinling_shared.exceptions import WIRE_ERRORS

HTTP_STATUS = {
    "InvalidInput": 400,
    "Forbidden": 403,
    "NotFound": 404,
    "NotAllowed": 405,
    "Conflict": 409,
    "PayloadTooLarge": 413,
    "Unavailable": 503,
}
INTERNAL_ERROR = "Internal server error."


def http_status(exc):
    """The HTTP status of a wire error (or a subclass of one); ``None`` for anything else."""
    for cls in type(exc).__mro__:
        if WIRE_ERRORS.get(cls.__name__) is cls:
            return HTTP_STATUS[cls.__name__]
    return None


def fault(message, status, headers=None):
    """Qinling's error body: ``{"faultstring": "<message>"}``."""
    return web.json_response({"faultstring": message}, status=status, headers=headers)


def http_error_message(exc):
    """A user-facing message for aiohttp's own HTTP errors (404 path, 405 method, 413 body)."""
    default_text = f"{exc.status}: {exc.reason}"
    return exc.reason if not exc.text or exc.text == default_text else exc.text
