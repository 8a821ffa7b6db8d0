"""The request guard: hostile input refused with a clear 4xx before any view reads the body.

In order: the URL (control characters, invalid Unicode), the ``Content-Encoding`` (415 unless
none, gzip or deflate), the declared ``Content-Length`` (413 before the body is read), then
the body itself. Any body but a multipart form is read here, within ``client_max_size``
(``[api] max_body_size``, counted after decoding), so a view gets it from memory; a multipart
form is streamed by its view, and a body that breaks while it streams is still answered here.
A request that matches no route keeps its body unread (see ``reaches_a_view``).
The checks are pure functions in ``request_checks.py``.
"""
from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from qinling_api import errors, request_checks
from qinling_api.keys import settings_key
from qinling_shared.exceptions import InvalidInput


def refused_too_large(limit):
    """A 413. The connection stays open (for every 413 here): aiohttp then drains what the
    client still sends for at most its lingering time (10 s), discarding it, so a client that
    sends its body before reading gets this answer rather than a connection reset."""
    return errors.fault(request_checks.too_large(limit), 413)


def refused_encoding(content_encoding):
    """A 400 that closes the connection: a body that does not decode cannot be drained."""
    response = errors.fault(request_checks.bad_encoding(content_encoding), 400)
    response.force_close()
    return response


async def read_body(request, limit, content_encoding):
    """Read a non-multipart body into the request's cache; ``None``, or a refusal."""
    try:
        await request.read()
    except web.HTTPRequestEntityTooLarge:
        return refused_too_large(limit)
    except RequestPayloadError:
        return refused_encoding(content_encoding)
    return None


def reaches_a_view(request):
    """Whether the request matched a route: an unmatched one (a 404 or 405, or a path the
    slash normalizer redirects, which must clone the request, so its body stays unread) has
    no view to read its body."""
    return request.match_info.http_exception is None


@web.middleware
async def request_guard_middleware(request, handler):
    refusal = request_checks.url_refusal(request.path, request.query.items())
    if refusal is not None:
        raise InvalidInput(refusal)
    content_encoding = request.headers.get("Content-Encoding", "")
    refusal = request_checks.encoding_refusal(content_encoding)
    if refusal is not None:
        raise web.HTTPUnsupportedMediaType(text=refusal)
    settings = request.app[settings_key]
    refusal = request_checks.declared_size_refusal(
        request.content_type, request.content_length, settings.max_body_size,
        settings.max_package_size)
    if refusal is not None:
        return errors.fault(refusal, 413)
    if reaches_a_view(request) and request.body_exists and (
            request.content_type != request_checks.MULTIPART):
        refused = await read_body(request, settings.max_body_size, content_encoding)
        if refused is not None:
            return refused
    try:
        return await handler(request)
    except RequestPayloadError:  # a streamed multipart body that its encoding broke
        return refused_encoding(content_encoding)
    except web.HTTPRequestEntityTooLarge:  # a text field of a multipart form
        return refused_too_large(settings.max_body_size)
