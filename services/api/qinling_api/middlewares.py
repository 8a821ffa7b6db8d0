"""Request ids, tenancy and error bodies, set up once for every request."""
import logging
import re
import uuid

from aiohttp import web

from qinling_api import errors
from qinling_api.keys import context_key, identity_key, request_id_key
from qinling_api.rpc import RemoteError
from qinling_shared.exceptions import Unauthorized, Unavailable

LOG = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Openstack-Request-Id"
# oslo.middleware's format: anything else sent by a client is replaced, not echoed
REQUEST_ID_FORMAT = re.compile(r"^req-[a-f0-9]{8}(-[a-f0-9]{4}){3}-[a-f0-9]{12}$")
PASSED_THROUGH_HEADERS = ("Allow",)


def request_id_of(request):
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if REQUEST_ID_FORMAT.match(given) else f"req-{uuid.uuid4()}"


@web.middleware
async def context_middleware(request, handler):
    """Request id in and out; the caller's tenancy (``qinling_api.identity``) as nameko
    context data, or its 401 (503 while Keystone cannot be asked)."""
    request_id = request_id_of(request)
    request[request_id_key] = request_id
    try:
        request[context_key] = await request.app[identity_key].tenancy(request, request_id)
    except (Unauthorized, Unavailable) as exc:
        response = errors.fault(str(exc), errors.http_status(exc))
    else:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers[REQUEST_ID_HEADER] = request_id
            raise
    response.headers[REQUEST_ID_HEADER] = request_id
    return response


@web.middleware
async def error_middleware(request, handler):
    """Every error becomes ``{"faultstring": ...}``; an unexpected one never shows its details.

    An error after a streamed response has started (a download broken off) cannot be answered:
    it is re-raised, so aiohttp drops the connection and the client sees a truncated body.
    """
    try:
        return await handler(request)
    except Exception as exc:
        if request.writer is not None and request.writer.output_size > 0:
            LOG.warning("%s %s [%s]: response broken off: %r", request.method, request.path,
                        request.get(request_id_key), exc)
            raise
        return error_response(request, exc)


def error_response(request, exc):
    """The fault answering ``exc`` (redirects are raised again: they are not errors)."""
    if isinstance(exc, web.HTTPException):
        if exc.status < 400:
            raise exc
        headers = {name: exc.headers[name] for name in PASSED_THROUGH_HEADERS
                   if name in exc.headers}
        return errors.fault(errors.http_error_message(exc), exc.status, headers)
    if isinstance(exc, RemoteError):
        LOG.error("%s %s [%s]: remote %s (%s): %s", request.method, request.path,
                  request.get(request_id_key), exc.exc_type, exc.exc_path, exc.value)
        return errors.fault(errors.INTERNAL_ERROR, 500)
    status = errors.http_status(exc)
    if status is not None:
        return errors.fault(str(exc), status)
    LOG.error("%s %s [%s] failed", request.method, request.path,
              request.get(request_id_key), exc_info=exc)
    return errors.fault(errors.INTERNAL_ERROR, 500)
