"""Webhooks: owned by the trigger service. The gateway checks the types of the JSON fields
(``schemas.webhooks``) and adds ``webhook_url`` (its public URL, ``[DEFAULT]
qinling_endpoint``, as Qinling); the trigger service does the rest. An invoke needs no
authentication: the raw body and its signature header go to the trigger service."""
import uuid

from aiohttp import web

from qinling_api import validation
from qinling_api.calls import call, listed
from qinling_api.keys import settings_key
from qinling_api.schemas.webhooks import WebhookCreate, WebhookUpdate
from qinling_api.views.executions import IDEMPOTENCY_KEY
from qinling_shared.exceptions import InvalidInput

SIGNATURE_HEADER = "X-Qinling-Signature-256"


def shown(request, webhook):
    """The webhook with its ``webhook_url``."""
    endpoint = request.app[settings_key].qinling_endpoint
    return {**webhook, "webhook_url": f"{endpoint}/v1/webhooks/{webhook['id']}/invoke"}


async def webhook_values(request, schema):
    return validation.load(schema, validation.json_object(await request.read()))


async def create_webhook(request):
    values = await webhook_values(request, WebhookCreate)
    webhook = await call(request, "trigger", "create_webhook", values)
    return web.json_response(shown(request, webhook), status=201)


async def list_webhooks(request):
    """``GET /v1/webhooks`` → ``{"webhooks": [...]}`` (the caller's project)."""
    webhooks = await listed(request, "trigger", "list_webhooks")
    return web.json_response({"webhooks": [shown(request, w) for w in webhooks]})


async def get_webhook(request):
    webhook = await call(request, "trigger", "get_webhook", request.match_info["id"])
    return web.json_response(shown(request, webhook))


async def update_webhook(request):
    """``PUT /v1/webhooks/{id}`` → 200 webhook; null fields are left as they are."""
    values = await webhook_values(request, WebhookUpdate)
    webhook = await call(request, "trigger", "update_webhook",
                         request.match_info["id"], values)
    return web.json_response(shown(request, webhook))


async def delete_webhook(request):
    await call(request, "trigger", "delete_webhook", request.match_info["id"])
    return web.Response(status=204)


async def invoke_webhook(request):
    """``POST /v1/webhooks/{id}/invoke`` (any body) → 202 ``{"execution_id": id}``.
    Exactly once, as ``POST /v1/executions``: with an ``Idempotency-Key`` header a repeat
    returns the first execution (the trigger service scopes the key to the webhook), and the
    request's own key (``request_key``) keeps a redelivered RPC from making a second one."""
    try:
        body = (await request.read()).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("Invalid request body: UTF-8 text is required.") from None
    invoked = await call(request, "trigger", "invoke_webhook", request.match_info["id"],
                         body, request.headers.get(SIGNATURE_HEADER),
                         idempotency_key=request.headers.get(IDEMPOTENCY_KEY),
                         request_key=str(uuid.uuid4()))
    return web.json_response(invoked, status=202)
