"""Runtimes: owned by the execution service."""
from aiohttp import web

from qinling_api import validation
from qinling_api.keys import context_key, rpc_key

FIELDS = {"image": (str,), "name": (str,), "description": (str,), "is_public": (bool,),
          "trusted": (bool,)}


async def create_runtime(request):
    """``POST /v1/runtimes {"image": "python3", "name": "py"}`` → 201 runtime (``creating``)."""
    values = validation.check_types(validation.json_object(await request.read()), FIELDS)
    validation.require(values, ("image",))
    runtime = await request.app[rpc_key].call(
        "execution", "create_runtime", values, context=request[context_key])
    return web.json_response(runtime, status=201)


async def list_runtimes(request):
    """``GET /v1/runtimes`` → ``{"runtimes": [...]}``"""
    runtimes = await request.app[rpc_key].call(
        "execution", "list_runtimes", context=request[context_key])
    return web.json_response({"runtimes": runtimes})


async def get_runtime(request):
    """``GET /v1/runtimes/{id}`` → the runtime, or 404 ``Runtime not found [id=...]``."""
    runtime = await request.app[rpc_key].call(
        "execution", "get_runtime", request.match_info["id"], context=request[context_key])
    return web.json_response(runtime)
