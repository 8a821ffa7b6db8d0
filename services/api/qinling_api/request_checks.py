"""What the gateway refuses before a view runs (pure): body sizes, content encodings, URLs.

Each check returns the message a client sees, or ``None``; the request guard
(``request_guard.py``) applies them and answers with Qinling's fault body. JSON bodies are
checked where they are parsed (``qinling_shared.jsontext``, through ``validation.json_object``).
"""
import re

from qinling_shared import jsontext

# aiohttp decodes these as the body is read, a bounded chunk at a time, so a decoded body is
# capped by the same size limit as a plain one (a gzip bomb stops at the limit).
DECODED_ENCODINGS = ("gzip", "deflate")
PLAIN_ENCODINGS = ("", "identity")
MULTIPART = "multipart/form-data"
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def too_large(limit):
    return f"Request body is too large: at most {limit} bytes are accepted."


def package_too_large(max_package_size):
    """The storage service's own message for a package over the limit."""
    return f"Package exceeds the maximum size of {max_package_size} bytes."


def declared_size_refusal(content_type, content_length, max_body_size, max_package_size):
    """The 413 message for a ``Content-Length`` above its limit, or ``None``: refused before a
    byte of the body is read. A function's multipart form may carry a package (streamed to
    the storage service, which enforces the package size itself) besides its text fields, so
    a form too large for both is refused as a package too large."""
    if content_length is None:
        return None
    if content_type == MULTIPART:
        if content_length > max_package_size + max_body_size:
            return package_too_large(max_package_size)
        return None
    return too_large(max_body_size) if content_length > max_body_size else None


def unsupported_encoding(content_encoding=None):
    """The 415 message; aiohttp's parser refuses some encodings before their name is known."""
    named = "" if content_encoding is None else f" {content_encoding!r}"
    return (f"Unsupported Content-Encoding{named}: send the body as it is, or compressed "
            "with gzip or deflate.")


def encoding_refusal(content_encoding):
    """A ``Content-Encoding`` the gateway does not decode (HTTP 415); one encoding only."""
    encoding = content_encoding.strip().lower()
    if encoding in PLAIN_ENCODINGS or encoding in DECODED_ENCODINGS:
        return None
    return unsupported_encoding(content_encoding)


def bad_encoding(content_encoding):
    """The message for a body that its ``Content-Encoding`` does not decode."""
    encoding = content_encoding.strip().lower()
    if encoding in DECODED_ENCODINGS:
        return f"Malformed request body: it is not valid {encoding} data."
    return "Malformed request body."


def text_problem(text):
    """What makes URL text unusable as an id or a filter (``None``: nothing)."""
    if not jsontext.is_lone_surrogate_free(text):
        return "invalid Unicode"
    if CONTROL_CHARACTER.search(text):
        return "a control character"
    return None


def url_refusal(path, query):
    """A decoded path or query (a multidict's items) with a control character (a NUL in an
    id) or invalid Unicode, which no service could store or look up."""
    problem = text_problem(path)
    if problem is not None:
        return f"Invalid URL path: it holds {problem}."
    for name, value in query:
        problem = text_problem(name) or text_problem(value)
        if problem is not None:
            return f"Invalid query parameter {name!r}: it holds {problem}."
    return None
