"""Runtimes: owned by the execution service, which checks their fields (``runtime_rules``);
the gateway only reads the JSON object."""
from aiohttp import web

from qinling_api import validation
from qinling_api.calls import call, listed


async def create_runtime(request):
    """``POST /v1/runtimes {"image": "python3", "name": "py"}`` → 201 runtime (``creating``)."""
    values = validation.json_object(await request.read())
    runtime = await call(request, "execution", "create_runtime", values)
    return web.json_response(runtime, status=201)


async def list_runtimes(request):
    """``GET /v1/runtimes`` → ``{"runtimes": [...]}``"""
    runtimes = await listed(request, "execution", "list_runtimes")
    return web.json_response({"runtimes": runtimes})


async def get_runtime(request):
    """``GET /v1/runtimes/{id}`` → the runtime, or 404 ``Runtime not found [id=...]``."""
    runtime = await call(request, "execution", "get_runtime", request.match_info["id"])
    return web.json_response(runtime)


async def update_runtime(request):
    """``PUT /v1/runtimes/{id} {"image": "python3.11"}`` → 200 runtime (``upgrading`` when
    the image changes); other fields are ignored, as Qinling did."""
    values = validation.json_object(await request.read())
    runtime = await call(request, "execution", "update_runtime", request.match_info["id"], values)
    return web.json_response(runtime)


async def delete_runtime(request):
    """``DELETE /v1/runtimes/{id}`` → 204 (403 ``Runtime <id> is still in use.``)."""
    await call(request, "execution", "delete_runtime", request.match_info["id"])
    return web.Response(status=204)


async def get_runtime_pool(request):
    """``GET /v1/runtimes/{id}/pool`` → ``{"name": id, "capacity": {"total", "available"}}``"""
    pool = await call(request, "execution", "get_runtime_pool", request.match_info["id"])
    return web.json_response(pool)
