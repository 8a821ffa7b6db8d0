"""Functions: owned by the function service; package bytes go to the storage service.

A package in the form is streamed to the storage service as an upload and handed to the
function service, its one owner from then on (it claims or deletes it). The gateway never
deletes an upload: one it could not hand over (a body broken after the package, a failed
call) is left unclaimed, and the storage service deletes it after ``upload_expiration``.
"""
from aiohttp import web

from qinling_api import function_form, package_download, rendering, validation
from qinling_api.calls import call, listed
from qinling_api.keys import context_key, storage_key
from qinling_api.schemas.functions import FunctionCreate, FunctionUpdate
from qinling_shared.context import PROJECT_ID


def uploader(request):
    """``upload(chunks)`` for ``function_form.read``: store a package of the caller's."""
    async def upload(chunks):
        return await request.app[storage_key].upload(request[context_key][PROJECT_ID], chunks)
    return upload


async def create_function(request):
    """``POST /v1/functions`` multipart: ``code='{"source": "package"}'``, ``runtime_id``,
    ``entry``, ..., file ``package`` → 201 function (``code`` as an object)."""
    values, package = await function_form.read(
        request, FunctionCreate, uploader(request))
    function = await call(request, "function", "create_function", values, package)
    return web.json_response(function, status=201)


async def update_function(request):
    """``PUT /v1/functions/{id}`` form, multipart (``source=package`` + file ``package``) or
    JSON ``{"timeout": 10}`` → 200 function."""
    values, package = await function_form.read(
        request, FunctionUpdate, uploader(request))
    function = await call(request, "function", "update_function", request.match_info["id"],
                          values, package)
    return web.json_response(function)


async def list_functions(request):
    """``GET /v1/functions?name=has:hello`` → ``{"functions": [...]}``, ``code`` JSON text."""
    functions = await listed(request, "function", "list_functions")
    return web.json_response({"functions": [rendering.function_in_list(f) for f in functions]})


async def get_function(request):
    """``GET /v1/functions/{id}`` → the function, ``code`` as an object;
    ``?download=true`` → its package (``application/zip``, attachment ``<id>``)."""
    function_id = request.match_info["id"]
    if validation.is_true(request.query.get("download", "false")):
        return await package_download.send(request, function_id, 0, function_id)
    function = await call(request, "function", "get_function", function_id)
    return web.json_response(function)


async def delete_function(request):
    """``DELETE /v1/functions/{id}`` → 204 (403 while jobs, webhooks or aliases use it)."""
    await call(request, "function", "delete_function", request.match_info["id"])
    return web.Response(status=204)
