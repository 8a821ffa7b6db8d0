"""Webhooks on the live platform: an unauthenticated invoke runs the function asynchronously
with the body as input; a secret requires the body's signature; an alias is resolved at each
invoke; the secret is never shown."""
import json

import requests

from qinling_trigger.webhook_signature import signature_header

ENDED = {"success", "error", "failed"}


def create(api, **fields):
    response = api.post("/v1/webhooks", json=fields)
    assert response.status_code == 201, response.text
    webhook = response.json()
    assert "secret" not in webhook
    return webhook


def invoke(url, body, headers=None):
    """Anonymous, as a third party calls it."""
    return requests.post(url, data=body, headers=headers or {}, timeout=60)


def ended(api, execution_id):
    return api.wait_for_status(f"/v1/executions/{execution_id}", ENDED)


def executions_of(api, webhook_id):
    response = api.get("/v1/executions", params={"description": f"has:{webhook_id}"})
    assert response.status_code == 200, response.text
    return response.json()["executions"]


def test_invoke_runs_the_function_with_the_body(platform, api, hello_function_id):
    webhook = create(api, function_id=hello_function_id, description="hook")
    assert webhook["function_version"] == 0  # omitted: 0, not Qinling's null
    assert webhook["webhook_url"] == f"{platform.url}/v1/webhooks/{webhook['id']}/invoke"
    response = invoke(webhook["webhook_url"], {"name": "Webhook"})  # a form, as tempest
    assert response.status_code == 202, response.text
    execution = ended(api, response.json()["execution_id"])
    assert execution["status"] == "success", execution
    assert execution["sync"] is False
    assert execution["description"] == f"Created by Webhook {webhook['id']}"
    assert json.loads(execution["result"])["output"] == "Hello, Webhook"
    assert [e["id"] for e in executions_of(api, webhook["id"])] == [execution["id"]]


def test_a_signed_webhook_needs_the_bodys_signature(api, hello_function_id):
    webhook = create(api, function_id=hello_function_id, secret="s3cret")
    body = json.dumps({"name": "Signed"})
    for headers in ({}, {"X-Qinling-Signature-256": signature_header("wrong", body)},
                    {"X-Qinling-Signature-256": "sha256=zz"}):
        response = invoke(webhook["webhook_url"], body, headers)
        assert response.status_code == 401, response.text
        assert response.json()["faultstring"]
    assert executions_of(api, webhook["id"]) == []
    response = invoke(webhook["webhook_url"], body,
                      {"X-Qinling-Signature-256": signature_header("s3cret", body),
                       "Content-Type": "application/json"})
    assert response.status_code == 202, response.text
    execution = ended(api, response.json()["execution_id"])
    assert json.loads(execution["result"])["output"] == "Hello, Signed"
    for read in (api.get(f"/v1/webhooks/{webhook['id']}").json(),
                 *api.get("/v1/webhooks").json()["webhooks"]):
        assert "secret" not in read


def test_the_alias_is_resolved_at_each_invoke(api, hello_function_id):
    function = f"/v1/functions/{hello_function_id}"
    assert api.post(function + "/versions", json={}).status_code == 201
    assert api.put(function, json={"timeout": 7}).status_code == 200
    assert api.post(function + "/versions", json={}).status_code == 201
    name = f"hook-{hello_function_id}"
    response = api.post("/v1/aliases", json={"name": name, "function_id": hello_function_id,
                                             "function_version": 1})
    assert response.status_code == 201, response.text
    webhook = create(api, function_alias=name)
    assert (webhook["function_id"], webhook["function_version"]) == (None, None)
    first = ended(api, invoke(webhook["webhook_url"], "{}").json()["execution_id"])
    assert (first["status"], first["function_version"]) == ("success", 1)
    assert api.put(f"/v1/aliases/{name}", json={"function_version": 2}).status_code == 200
    second = ended(api, invoke(webhook["webhook_url"], "{}").json()["execution_id"])
    assert (second["status"], second["function_version"]) == ("success", 2)


def test_update_and_delete(api, hello_function_id):
    webhook = create(api, function_id=hello_function_id)
    response = api.put(f"/v1/webhooks/{webhook['id']}", json={"description": "new",
                                                               "secret": "k"})
    assert response.status_code == 200, response.text
    assert response.json()["description"] == "new" and "secret" not in response.json()
    assert invoke(webhook["webhook_url"], "{}").status_code == 401
    assert api.delete(f"/v1/webhooks/{webhook['id']}").status_code == 204
    assert api.get(f"/v1/webhooks/{webhook['id']}").status_code == 404


def test_unknown_webhook_is_qinlings_404(platform, api):
    missing = "00000000-0000-0000-0000-000000000000"
    for response in (api.get(f"/v1/webhooks/{missing}"),
                     invoke(f"{platform.url}/v1/webhooks/{missing}/invoke", "{}")):
        assert response.status_code == 404
        assert response.json() == {"faultstring": f"Webhook not found [id={missing}]"}


def test_a_missing_target_is_a_404(api):
    response = api.post("/v1/webhooks", json={"function_id": "no-such-function"})
    assert response.status_code == 404
    assert response.json() == {"faultstring": "Function not found [id=no-such-function]"}
