"""Workers of a function: kept by the execution service in the etcd worker map."""
from aiohttp import web

from qinling_api import validation
from qinling_api.keys import context_key, rpc_key


async def list_workers(request):
    """``GET /v1/functions/{id}/workers[/]?function_version=N`` →
    ``{"workers": [{"function_id", "function_version", "worker_name"}]}``"""
    version = validation.version_number(request.query.get("function_version", "0"))
    workers = await request.app[rpc_key].call(
        "execution", "list_workers", request.match_info["id"], version,
        context=request[context_key])
    return web.json_response({"workers": workers})
