"""Qinling's error body; each wire error carries its own HTTP status
(``qinling_shared.exceptions``)."""
from aiohttp import web

from qinling_shared.exceptions import wire_error

INTERNAL_ERROR = "Internal server error."


def http_status(exc):
    """The HTTP status of a wire error (or a subclass of one); ``None`` for anything else."""
    cls = wire_error(exc)
    return None if cls is None else cls.http_status


def fault(message, status, headers=None):
    """Qinling's error body: ``{"faultstring": "<message>"}``."""
    return web.json_response({"faultstring": message}, status=status, headers=headers)


def http_error_message(exc):
    """A user-facing message for aiohttp's own HTTP errors (404 path, 405 method, 413 body)."""
    default_text = f"{exc.status}: {exc.reason}"
    return exc.reason if not exc.text or exc.text == default_text else exc.text
