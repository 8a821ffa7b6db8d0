"""The real client's job and webhook commands (``openstack job ...``, ``openstack webhook
...``) against the whole platform, and a webhook's ``webhook_url`` invoked as a third party
would (no credentials)."""
import json

import requests

from qinling_testing.cli import as_json, fails, ok


def test_job_commands(cli, hello_function_id):
    job = as_json(cli, "job", "create", "--function", hello_function_id,
                  "--name", "cli-job", "--pattern", "0 0 1 1 *", "--function-input", "x")
    assert (job["status"], job["pattern"], job["count"]) == ("running", "0 0 1 1 *", None)
    assert as_json(cli, "job", "show", job["id"])["name"] == "cli-job"
    assert job["id"] in {row["Id"] for row in as_json(cli, "job", "list")}
    paused = as_json(cli, "job", "update", job["id"], "--status", "paused")
    assert paused["status"] == "paused"
    assert "Invalid status. (HTTP 400)" in fails(
        cli, "job", "update", job["id"], "--status", "done")
    assert "Execution time must be at least 1 minute in the future. (HTTP 400)" in fails(
        cli, "job", "create", "--function", hello_function_id,
        "--first-execution-time", "2000-01-01T00:00:00")
    ok(cli, "job", "delete", job["id"])
    assert f"Job not found [id={job['id']}]" in fails(cli, "job", "show",
                                                      job["id"])


def test_webhook_commands(cli, api, hello_function_id):
    """``openstack webhook create | show | list | update | delete``, and the ``webhook_url``
    they show invoked as a third party would (no credentials)."""
    fid = hello_function_id
    assert api.post(f"/v1/functions/{fid}/versions", json={}).status_code == 201
    webhook = as_json(cli, "webhook", "create", "--function", fid,
                      "--description", "cli hook")
    assert (webhook["function_id"], webhook["function_version"], webhook["function_alias"],
            webhook["description"]) == (fid, 0, None, "cli hook")
    assert webhook["webhook_url"] == f"{cli.url}/v1/webhooks/{webhook['id']}/invoke"
    shown = as_json(cli, "webhook", "show", webhook["id"])
    assert (shown["id"], shown["webhook_url"]) == (webhook["id"], webhook["webhook_url"])
    rows = {row["Id"]: row for row in as_json(cli, "webhook", "list")}
    assert rows[webhook["id"]]["Webhook_url"] == webhook["webhook_url"]
    moved = as_json(cli, "webhook", "update", webhook["id"], "--function-version", 1,
                    "--description", "on v1")
    assert (moved["function_id"], moved["function_version"], moved["description"]) == (
        fid, 1, "on v1")

    invoked = requests.post(webhook["webhook_url"], data={"name": "Cli"}, timeout=60)
    assert invoked.status_code == 202, invoked.text
    execution = api.wait_for_status(f"/v1/executions/{invoked.json()['execution_id']}",
                                    {"success", "error", "failed"})
    assert (execution["status"], execution["function_version"]) == ("success", 1)
    assert json.loads(execution["result"])["output"] == "Hello, Cli"
    assert execution["description"] == f"Created by Webhook {webhook['id']}"

    alias = f"cli-hook-{fid}"
    assert api.post("/v1/aliases", json={"name": alias, "function_id": fid,
                                         "function_version": 1}).status_code == 201
    by_alias = as_json(cli, "webhook", "create", "--function-alias", alias)
    assert (by_alias["function_alias"], by_alias["function_id"],
            by_alias["function_version"]) == (alias, None, None)

    assert ok(cli, "webhook", "delete", webhook["id"], by_alias["id"]).splitlines() == [
        f"Request to delete webhook {gone} has been accepted."
        for gone in (webhook["id"], by_alias["id"])]
    assert f"Webhook not found [id={webhook['id']}] (HTTP 404)" in fails(
        cli, "webhook", "show", webhook["id"])
    assert requests.post(webhook["webhook_url"], data="{}", timeout=60).status_code == 404
    assert not {webhook["id"], by_alias["id"]} & {
        row["Id"] for row in as_json(cli, "webhook", "list")}
