"""Executions: owned by the execution service."""
import uuid

from aiohttp import web

from qinling_api import rendering, validation
from qinling_api.calls import call, listed
from qinling_api.keys import settings_key
from qinling_api.schemas.executions import ExecutionCreate

IDEMPOTENCY_KEY = "Idempotency-Key"


async def create_execution(request):
    """``POST /v1/executions {"function_id": "f1", "sync": true, "input": "{\\"a\\": 1}"}``
    (or ``"function_alias": "prod"``; ``"function_version": 1``) → 201 execution, ``result``
    as a JSON string. A sync call waits for the function to end; an async one returns once the
    execution is stored and queued durably. With an ``Idempotency-Key`` header, a repeat of
    the key in the project returns the first execution (as it is now) instead of a new one.
    Every request carries a key of its own (``request_key``): if the execution service dies
    while it handles the request, the request handed to it again returns the execution the
    first delivery made instead of a second one.

    The gateway does not know the function's timeout: a sync call waits up to
    ``rpc_response_timeout`` + the largest function timeout. The execution service answers
    sooner, bounded by the function's own timeout (see ``sync_execution_timeout``).

    The gateway checks the body's shape (a JSON object, ``ExecutionCreate``); the execution
    service checks its rules (a function or an alias is required, the version, the
    description's length, the input, the idempotency key)."""
    values = validation.load(ExecutionCreate, validation.json_object(await request.read()))
    settings = request.app[settings_key]
    sync = values.get("sync", True)
    timeout = settings.sync_execution_timeout if sync else settings.rpc_response_timeout
    execution = await call(request, "execution", "create_execution", values, timeout=timeout,
                           idempotency_key=request.headers.get(IDEMPOTENCY_KEY),
                           request_key=str(uuid.uuid4()))
    return web.json_response(rendering.execution(execution), status=201)


async def cancel_execution(request):
    """``POST /v1/executions/{id}/cancel`` → 202 with the execution, now ``cancelled``; its
    run is stopped on its worker. 409 when the execution has already ended."""
    execution = await call(request, "execution", "cancel_execution", request.match_info["id"])
    return web.json_response(rendering.execution(execution), status=202)


async def list_executions(request):
    """``GET /v1/executions?function_id=...&status=neq:failed`` → ``{"executions": [...]}``"""
    executions = await listed(request, "execution", "list_executions")
    return web.json_response({"executions": [rendering.execution(e) for e in executions]})


async def get_execution(request):
    execution = await call(request, "execution", "get_execution", request.match_info["id"])
    return web.json_response(rendering.execution(execution))


async def delete_execution(request):
    await call(request, "execution", "delete_execution", request.match_info["id"])
    return web.Response(status=204)


async def get_execution_log(request):
    """``GET /v1/executions/{id}/log`` → the captured output, ``text/plain``."""
    log = await call(request, "execution", "get_execution_log", request.match_info["id"])
    return web.Response(text=log or "", content_type="text/plain")
