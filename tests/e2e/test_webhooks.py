"""Webhooks on the live platform: an unauthenticated invoke runs the function asynchronously
with the body as input; a secret requires the body's signature; an alias is resolved at each
invoke; the secret is never shown; a deleted alias is a clear 404 and a version in use cannot
be deleted; a repeated Idempotency-Key makes no second execution."""
import json
import time

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


def alias_on_versions(api, function_id, versions, version):
    """``versions`` new versions of the function, and an alias (named after it) to
    ``version`` of them; the alias's name."""
    for number in range(1, versions + 1):
        if number > 1:   # a version needs a change since the last one
            response = api.put(f"/v1/functions/{function_id}", json={"timeout": 5 + number})
            assert response.status_code == 200, response.text
        response = api.post(f"/v1/functions/{function_id}/versions", json={})
        assert response.status_code == 201, response.text
    name = f"hook-{function_id}"
    response = api.post("/v1/aliases", json={"name": name, "function_id": function_id,
                                             "function_version": version})
    assert response.status_code == 201, response.text
    return name


def refused_once_known(url, expected_status, deadline=30.0):
    """The answer to invoking ``url`` once the platform knows of a change (each execution
    service replica forgets a deleted alias when its event arrives): invokes until one is
    not 202, then once more; both must be the same 4xx, never a 500."""
    give_up = time.monotonic() + deadline
    response = invoke(url, "{}")
    while response.status_code == 202 and time.monotonic() < give_up:
        time.sleep(0.1)
        response = invoke(url, "{}")
    again = invoke(url, "{}")
    assert response.status_code == again.status_code == expected_status, \
        (response.text, again.text)
    assert response.json() == again.json()
    return response.json()["faultstring"]


def test_a_deleted_alias_makes_invoke_a_clear_404(api, hello_function_id):
    name = alias_on_versions(api, hello_function_id, 1, 1)
    webhook = create(api, function_alias=name)
    ran = ended(api, invoke(webhook["webhook_url"], "{}").json()["execution_id"])
    assert (ran["status"], ran["function_version"]) == ("success", 1)
    assert api.delete(f"/v1/aliases/{name}").status_code == 204
    assert refused_once_known(webhook["webhook_url"], 404) == \
        f"FunctionAlias not found [name={name}]"
    assert api.get(f"/v1/webhooks/{webhook['id']}").status_code == 200  # the webhook stays
    # its version is no longer in use: it may go, and the invoke is still the alias's 404
    assert api.delete(f"/v1/functions/{hello_function_id}/versions/1").status_code == 204
    assert refused_once_known(webhook["webhook_url"], 404) == \
        f"FunctionAlias not found [name={name}]"
    assert [e["id"] for e in executions_of(api, webhook["id"])] == [ran["id"]]


def test_a_version_a_webhook_runs_cannot_be_deleted(api, hello_function_id):
    """Qinling's rule: the version is kept while the webhook names it (a clear 403), so an
    invoke never meets a deleted version; once the webhook is gone it may be deleted."""
    version = f"/v1/functions/{hello_function_id}/versions/1"
    assert api.post(f"/v1/functions/{hello_function_id}/versions", json={}).status_code == 201
    webhook = create(api, function_id=hello_function_id, function_version=1)
    response = api.delete(version)
    assert response.status_code == 403, response.text
    assert response.json() == {
        "faultstring": "The function version is still associated with webhook."}
    ran = ended(api, invoke(webhook["webhook_url"], "{}").json()["execution_id"])
    assert (ran["status"], ran["function_version"]) == ("success", 1)
    assert api.delete(f"/v1/webhooks/{webhook['id']}").status_code == 204
    assert api.delete(version).status_code == 204


def test_an_alias_repointed_off_a_version_lets_it_go(api, hello_function_id):
    """A webhook on an alias keeps the alias's version only through the alias: deleting it
    is refused while the alias names it; repointed, the old version may go and the invoke
    runs the new one."""
    name = alias_on_versions(api, hello_function_id, 2, 1)
    webhook = create(api, function_alias=name)
    version_1 = f"/v1/functions/{hello_function_id}/versions/1"
    response = api.delete(version_1)
    assert response.status_code == 403, response.text
    assert response.json() == {
        "faultstring": "The function version is still associated with alias."}
    assert api.put(f"/v1/aliases/{name}", json={"function_version": 2}).status_code == 200
    assert api.delete(version_1).status_code == 204
    ran = ended(api, invoke(webhook["webhook_url"], "{}").json()["execution_id"])
    assert (ran["status"], ran["function_version"]) == ("success", 2)


def test_a_repeated_idempotency_key_returns_the_first_execution(api, hello_function_id):
    """As ``POST /v1/executions``: a repeat of the key makes no second execution (the
    first, as it is now, with its own input), another key makes another, and the key is the
    webhook's own (another webhook's, or an execution's, with the same key is another)."""
    webhook = create(api, function_id=hello_function_id)
    key = f"order-{time.monotonic_ns()}"
    first = invoke(webhook["webhook_url"], {"name": "First"}, {"Idempotency-Key": key})
    assert first.status_code == 202, first.text
    again = invoke(webhook["webhook_url"], {"name": "Again"}, {"Idempotency-Key": key})
    assert again.status_code == 202, again.text
    assert again.json() == first.json()
    execution = ended(api, first.json()["execution_id"])
    assert json.loads(execution["result"])["output"] == "Hello, First"
    other = invoke(webhook["webhook_url"], {"name": "Other"}, {"Idempotency-Key": key + "-b"})
    assert other.json()["execution_id"] != execution["id"]
    second_webhook = create(api, function_id=hello_function_id)
    elsewhere = invoke(second_webhook["webhook_url"], "{}", {"Idempotency-Key": key})
    assert elsewhere.json()["execution_id"] != execution["id"]
    direct = api.post("/v1/executions", json={"function_id": hello_function_id,
                                              "sync": False},
                      headers={"Idempotency-Key": key})
    assert direct.status_code == 201, direct.text
    assert direct.json()["id"] not in (execution["id"], elsewhere.json()["execution_id"])
    made = sorted(e["id"] for e in executions_of(api, webhook["id"]))
    assert made == sorted([execution["id"], other.json()["execution_id"]])
    too_long = invoke(webhook["webhook_url"], "{}", {"Idempotency-Key": "k" * 256})
    assert too_long.status_code == 400
    assert "Idempotency-Key" in too_long.json()["faultstring"]
    assert len(executions_of(api, webhook["id"])) == 2
