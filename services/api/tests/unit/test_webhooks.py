import pytest

from qinling_shared import listing
from qinling_shared.exceptions import InvalidInput, NotFound, Unauthorized

WEBHOOK = {"id": "w-1", "function_id": "f1", "function_version": 0, "function_alias": None,
           "description": None, "project_id": "default", "created_at": "2026-01-01T00:00:00Z",
           "updated_at": None}
URL = "http://127.0.0.1:7070/v1/webhooks/w-1/invoke"


async def test_create_passes_the_fields_with_the_secret_and_adds_the_url(client, rpc):
    rpc.answer("trigger", "create_webhook", lambda values: WEBHOOK)
    response = await client.post("/v1/webhooks", json={
        "function_id": "f1", "function_version": "1", "secret": "k", "project_id": "x"})
    assert response.status == 201
    assert await response.json() == {**WEBHOOK, "webhook_url": URL}
    assert rpc.calls[0].args == ({"function_id": "f1", "function_version": 1, "secret": "k"},)


@pytest.mark.parametrize("body, message", [
    ({"function_id": 1}, "Invalid value of 'function_id': a string is required."),
    ({"function_id": "f1", "secret": 5}, "Invalid value of 'secret': a string is required."),
    ({"function_id": "f1", "function_version": "x"},
     "Invalid value of 'function_version': an integer is required.")])
async def test_create_with_wrong_types_is_a_400(client, rpc, body, message):
    response = await client.post("/v1/webhooks", json=body)
    assert response.status == 400
    assert await response.json() == {"faultstring": message}
    assert rpc.calls == []


async def test_list_show_update_and_delete(client, rpc):
    rpc.answer("trigger", "list_webhooks", lambda query: [WEBHOOK])
    rpc.answer("trigger", "get_webhook", lambda webhook_id: WEBHOOK)
    rpc.answer("trigger", "update_webhook", lambda webhook_id, values: WEBHOOK)
    rpc.answer("trigger", "delete_webhook", lambda webhook_id: None)
    listed = await client.get("/v1/webhooks?function_id=f1")
    assert await listed.json() == {"webhooks": [{**WEBHOOK, "webhook_url": URL}]}
    assert rpc.calls[0].args == (listing.parse({"function_id": "f1"}),)
    shown = await client.get("/v1/webhooks/w-1")
    assert (await shown.json())["webhook_url"] == URL
    updated = await client.put("/v1/webhooks/w-1", json={"function_alias": "prod",
                                                         "secret": ""})
    assert updated.status == 200
    assert rpc.calls[2].args == ("w-1", {"function_alias": "prod", "secret": ""})
    deleted = await client.delete("/v1/webhooks/w-1")
    assert deleted.status == 204


async def test_unknown_webhook_is_the_services_404(client, rpc):
    rpc.answer("trigger", "get_webhook", NotFound("Webhook not found [id=w-9]"))
    response = await client.get("/v1/webhooks/w-9")
    assert response.status == 404
    assert await response.json() == {"faultstring": "Webhook not found [id=w-9]"}


async def test_invoke_passes_the_raw_body_and_signature_and_answers_202(client, rpc):
    rpc.answer("trigger", "invoke_webhook",
               lambda webhook_id, body, signature, **keys: {"execution_id": "e-1"})
    response = await client.post("/v1/webhooks/w-1/invoke", data="name=qinling",
                                 headers={"X-Qinling-Signature-256": "sha256=ab",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 202
    assert await response.json() == {"execution_id": "e-1"}
    assert rpc.calls[0].args == ("w-1", "name=qinling", "sha256=ab")


async def test_invoke_without_signature_passes_none(client, rpc):
    rpc.answer("trigger", "invoke_webhook",
               lambda webhook_id, body, signature, **keys: {"execution_id": "e-1"})
    await client.post("/v1/webhooks/w-1/invoke")
    assert rpc.calls[0].args == ("w-1", "", None)
    assert rpc.calls[0].kwargs["idempotency_key"] is None


async def test_invoke_passes_the_idempotency_key_and_a_request_key_of_its_own(client, rpc):
    """As ``POST /v1/executions``: the client's ``Idempotency-Key`` (the trigger service
    scopes it to the webhook), and each request's own key against a redelivered RPC."""
    rpc.answer("trigger", "invoke_webhook", {"execution_id": "e-1"})
    for _ in range(2):
        response = await client.post("/v1/webhooks/w-1/invoke", data="{}",
                                     headers={"Idempotency-Key": "order-42"})
        assert response.status == 202
    assert [call.kwargs["idempotency_key"] for call in rpc.calls] == ["order-42"] * 2
    keys = [call.kwargs["request_key"] for call in rpc.calls]
    assert len(set(keys)) == 2 and all(len(key) == 36 for key in keys)


async def test_a_bad_idempotency_key_on_invoke_is_the_services_400(client, rpc):
    rpc.answer("trigger", "invoke_webhook",
               InvalidInput("Invalid Idempotency-Key: at most 255 printable ASCII characters "
                            "are allowed."))
    response = await client.post("/v1/webhooks/w-1/invoke", data="{}",
                                 headers={"Idempotency-Key": "x" * 300})
    assert response.status == 400
    assert "Idempotency-Key" in (await response.json())["faultstring"]


async def test_a_rejected_signature_is_a_401(client, rpc):
    rpc.answer("trigger", "invoke_webhook", Unauthorized("Invalid signature: it does not "
                                                         "match the request body."))
    response = await client.post("/v1/webhooks/w-1/invoke", json={})
    assert response.status == 401
    assert (await response.json())["faultstring"].startswith("Invalid signature")


async def test_a_body_that_is_not_utf8_is_a_400(client, rpc):
    response = await client.post("/v1/webhooks/w-1/invoke", data=b"\xff\xfe")
    assert response.status == 400
    assert rpc.calls == []
