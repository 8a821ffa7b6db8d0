"""Function aliases: owned by the function service, addressed by their (project-unique) name.

The gateway checks the types of the JSON fields (``schemas.aliases``); the function service
the rest (required fields, names, versions)."""
from aiohttp import web

from qinling_api import validation
from qinling_api.calls import call, listed
from qinling_api.schemas.aliases import AliasCreate, AliasUpdate


async def alias_values(request, schema):
    """The typed fields of a JSON body; ``function_version`` may be digits (the CLI's
    ``alias update --function-version 1`` sends ``"1"``)."""
    return validation.load(schema, validation.json_object(await request.read()))


async def create_alias(request):
    """``POST /v1/aliases {"name": "prod", "function_id": "f1", "function_version": 1}``
    → 201 alias (``POST /v1//aliases``, as tempest sends it, is the same route)."""
    values = await alias_values(request, AliasCreate)
    alias = await call(request, "function", "create_alias", values)
    return web.json_response(alias, status=201)


async def list_aliases(request):
    """``GET /v1/aliases`` → ``{"function_aliases": [...]}`` (the caller's project)."""
    aliases = await listed(request, "function", "list_aliases")
    return web.json_response({"function_aliases": aliases})


async def get_alias(request):
    alias = await call(request, "function", "get_alias", request.match_info["name"])
    return web.json_response(alias)


async def update_alias(request):
    """``PUT /v1/aliases/{name} {"function_version": 2, "description": null}`` → 200 alias;
    null fields are left as they are."""
    values = await alias_values(request, AliasUpdate)
    alias = await call(request, "function", "update_alias", request.match_info["name"], values)
    return web.json_response(alias)


async def delete_alias(request):
    await call(request, "function", "delete_alias", request.match_info["name"])
    return web.Response(status=204)
