"""Functions: owned by the function service; package bytes go to the storage service."""
import logging

from aiohttp import web

from qinling_api import function_form, rendering, validation
from qinling_api.keys import context_key, rpc_key, storage_key
from qinling_shared.context import PROJECT_ID

LOG = logging.getLogger(__name__)


async def create_function(request):
    """``POST /v1/functions`` multipart: ``code='{"source": "package"}'``, ``runtime_id``,
    ``entry``, ..., file ``package`` → 201 function (``code`` as an object)."""
    rpc, context = request.app[rpc_key], request[context_key]

    async def upload(chunks):
        return await request.app[storage_key].upload(context[PROJECT_ID], chunks)

    async def discard(package):
        try:
            await rpc.call("storage", "delete_package", package["key"], context=context)
        except Exception:
            LOG.exception("could not delete the unused package %s", package["key"])

    values, package = await function_form.read(request, upload, discard)
    if values.get("code") is None:
        await function_form.discard_if_stored(package, discard)
        validation.require(values, ("code",))
    function = await rpc.call("function", "create_function", values, package, context=context)
    return web.json_response(function, status=201)


async def list_functions(request):
    """``GET /v1/functions`` → ``{"functions": [...]}``, each ``code`` a JSON string."""
    functions = await request.app[rpc_key].call(
        "function", "list_functions", context=request[context_key])
    return web.json_response({"functions": [rendering.function_in_list(f) for f in functions]})


async def get_function(request):
    """``GET /v1/functions/{id}`` → the function, ``code`` as an object."""
    function = await request.app[rpc_key].call(
        "function", "get_function", request.match_info["id"], context=request[context_key])
    return web.json_response(function)
