"""Request ids, tenancy and error bodies, set up once for every request."""
import logging
import re
import uuid

from aiohttp import web

from qinling_api import errors
from qinling_api.keys import context_key, request_id_key
from qinling_api.rpc import RemoteError
from qinling_shared.context import tenancy

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
    """Request id in and out; tenancy as nameko context data (no Keystone: default, admin)."""
    request_id = request_id_of(request)
    request[request_id_key] = request_id
    request[context_key] = tenancy(is_admin=True, request_id=request_id)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers[REQUEST_ID_HEADER] = request_id
        raise
    response.headers[REQUEST_ID_HEADER] = request_id
    return response


@web.middleware
async def error_middleware(request, handler):
    """Every error becomes ``{"faultstring": ...}``; an unexpected one never shows its details."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {name: exc.headers[name] for name in PASSED_THROUGH_HEADERS
                   if name in exc.headers}
        return errors.fault(errors.http_error_message(exc), exc.status, headers)
    except RemoteError as exc:
        LOG.error("%s %s [%s]: remote %s (%s): %s", request.method, request.path,
                  request.get(request_id_key), exc.exc_type, exc.exc_path, exc.value)
        return errors.fault(errors.INTERNAL_ERROR, 500)
    except Exception as exc:
        status = errors.http_status(exc)
        if status is not None:
            return errors.fault(str(exc), status)
        LOG.exception("%s %s [%s] failed", request.method, request.path,
                      request.get(request_id_key))
        return errors.fault(errors.INTERNAL_ERROR, 500)
