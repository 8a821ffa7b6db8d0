"""Workers of a function version, kept by the execution service in the etcd worker map:
listed, scaled up or down, and detached (Qinling's admin operations).

The version (path or ``?function_version=``) is passed on as text: the execution service checks
it (``qinling_shared.versions.number``)."""
from aiohttp import web

from qinling_api import validation
from qinling_api.calls import call
from qinling_api.schemas.workers import Scale


async def list_workers(request):
    """``GET /v1/functions/{id}/workers[/]?function_version=N`` →
    ``{"workers": [{"function_id", "function_version", "worker_name"}]}``"""
    version = request.query.get("function_version", "0")
    workers = await call(request, "execution", "list_workers", request.match_info["id"], version)
    return web.json_response({"workers": workers})


def target_of(request):
    """``(function_id, version)`` of ``/v1/functions/{id}[/versions/{version}]/...``."""
    version = request.match_info.get("version", "0")
    return request.match_info["id"], version


async def scale_count(request):
    """``count`` of a ``{"count": n}`` body (digits in a string are accepted, as the CLI may
    send them); the service checks its range."""
    body = validation.json_object_or_empty(await request.read())
    return validation.load(Scale, body)["count"]


def _scaler(method, doc):
    async def scale(request):
        function_id, version = target_of(request)
        count = await scale_count(request)
        await call(request, "execution", method, function_id, version, count)
        return web.Response(status=202)
    scale.__doc__ = doc
    return scale


scale_up = _scaler("scale_up_function",
                   """``POST .../scale_up {"count": n}`` → 202: ``n`` more workers.""")
scale_down = _scaler("scale_down_function", """``POST .../scale_down {"count": n}`` → 202: up to
``n`` fewer workers, at least one kept.""")


async def detach(request):
    """``POST .../detach`` (no body) → 202: every worker released."""
    function_id, version = target_of(request)
    await call(request, "execution", "detach_function", function_id, version)
    return web.Response(status=202)
