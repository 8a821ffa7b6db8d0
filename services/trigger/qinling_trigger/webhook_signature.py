"""Signed webhook invokes: ``X-Qinling-Signature-256: sha256=<hex HMAC-SHA256 of the raw body
with the webhook's secret>``, as GitHub signs its webhooks. Pure: the gateway passes the
secret, the raw body and the header; a rejection carries the reason for its 401.
"""
import hashlib
import hmac
import re

from qinling_shared.exceptions import InvalidInput

HEADER = "X-Qinling-Signature-256"
PREFIX = "sha256="
HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
SECRET_LENGTH = 255


class SignatureRejected(ValueError):
    """The invoke's signature is missing, malformed or wrong: answer 401 with the message."""


def _bytes(value):
    return value if isinstance(value, bytes) else value.encode("utf-8")


def digest(secret, body):
    """Hex HMAC-SHA256 of ``body`` (bytes, or text as UTF-8) under ``secret``."""
    return hmac.new(_bytes(secret), _bytes(body), hashlib.sha256).hexdigest()


def signature_header(secret, body):
    """The header value a client sends with ``body``: ``sha256=<hex>``."""
    return PREFIX + digest(secret, body)


def verify(secret, body, header):
    """Accept the invoke or raise ``SignatureRejected``.

    No secret (``None`` or empty): nothing to check. Else ``header`` (the value of
    ``X-Qinling-Signature-256``, ``None`` when absent) must be ``sha256=`` and 64 hex digits
    (either case) signing exactly ``body``; the digests are compared in constant time.
    """
    if not secret:
        return
    if header is None or header == "":
        raise SignatureRejected(f"Missing signature: this webhook requires the {HEADER} "
                                "header.")
    value = header.strip() if isinstance(header, str) else ""
    if not value.startswith(PREFIX) or not HEX_DIGEST.fullmatch(value[len(PREFIX):]):
        raise SignatureRejected(f"Malformed signature: {HEADER} must be 'sha256=' followed "
                                "by 64 hex digits.")
    given = value[len(PREFIX):].lower().encode("ascii")
    if not hmac.compare_digest(digest(secret, body).encode("ascii"), given):
        raise SignatureRejected("Invalid signature: it does not match the request body.")


def clean_secret(value):
    """A webhook's write-only ``secret`` as a client sets it: ``None`` (no signature), or a
    string of 1 to 255 printable ASCII characters."""
    if value is None:
        return None
    if (not isinstance(value, str) or not 0 < len(value) <= SECRET_LENGTH
            or not (value.isascii() and value.isprintable())):
        raise InvalidInput(f"Invalid secret: 1 to {SECRET_LENGTH} printable ASCII characters "
                           "are required.")
    return value
