"""Event triggers: owned by the trigger service. The gateway checks the types of the JSON
fields (``schemas.event_triggers``); the trigger service checks the rules, binds its queue to
the exchanges and starts the executions."""
from aiohttp import web

from qinling_api import validation
from qinling_api.calls import call, listed
from qinling_api.schemas.event_triggers import EventTriggerCreate, EventTriggerUpdate


async def event_trigger_values(request, schema):
    return validation.load(schema, validation.json_object(await request.read()))


async def create_event_trigger(request):
    values = await event_trigger_values(request, EventTriggerCreate)
    return web.json_response(await call(request, "trigger", "create_event_trigger", values),
                             status=201)


async def list_event_triggers(request):
    """``GET /v1/event_triggers`` → ``{"event_triggers": [...]}`` (the caller's project)."""
    return web.json_response({"event_triggers": await listed(request, "trigger",
                                                             "list_event_triggers")})


async def get_event_trigger(request):
    return web.json_response(await call(request, "trigger", "get_event_trigger",
                                        request.match_info["id"]))


async def update_event_trigger(request):
    """``PUT /v1/event_triggers/{id}`` → 200 event trigger; a null field is left as it is,
    but a null ``exchanges``, ``topics``, ``filters`` or ``all_projects`` is passed on (the
    trigger service restores its default)."""
    values = await event_trigger_values(request, EventTriggerUpdate)
    return web.json_response(await call(request, "trigger", "update_event_trigger",
                                        request.match_info["id"], values))


async def delete_event_trigger(request):
    await call(request, "trigger", "delete_event_trigger", request.match_info["id"])
    return web.Response(status=204)
