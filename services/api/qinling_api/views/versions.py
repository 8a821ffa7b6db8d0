"""Function versions: owned by the function service, which also checks that ``{version}`` is
a version number (the path segment is passed on as text)."""
from aiohttp import web

from qinling_api import package_download, validation
from qinling_api.calls import call
from qinling_api.schemas.versions import VersionCreate


def path_of(request):
    """``(function_id, version)`` of ``/v1/functions/{id}/versions/{version}``."""
    return request.match_info["id"], request.match_info["version"]


async def create_version(request):
    """``POST /v1/functions/{id}/versions {"description": "v1"}`` (body optional) → 201
    ``{"id", "function_id", "version_number", "description", "count", ...}``."""
    body = validation.json_object_or_empty(await request.read())
    values = validation.load(VersionCreate, body)
    version = await call(request, "function", "create_version", request.match_info["id"],
                         values.get("description"))
    return web.json_response(version, status=201)


async def list_versions(request):
    """``GET /v1/functions/{id}/versions`` → ``{"function_versions": [...]}``"""
    versions = await call(request, "function", "list_versions", request.match_info["id"])
    return web.json_response({"function_versions": versions})


async def get_version(request):
    """``GET .../versions/{n}`` → the version; ``?download=true`` → its package
    (attachment ``<function_id>_<n>``)."""
    function_id, version = path_of(request)
    if validation.is_true(request.query.get("download", "false")):
        return await package_download.send(
            request, function_id, version, f"{function_id}_{version}")
    found = await call(request, "function", "get_version", function_id, version)
    return web.json_response(found)


async def delete_version(request):
    """``DELETE .../versions/{n}`` → 204 (403 while a job, webhook or alias uses it)."""
    function_id, version = path_of(request)
    await call(request, "function", "delete_version", function_id, version)
    return web.Response(status=204)
