import json

import pytest

from qinling_nameko.providers import Caller
from qinling_shared.exceptions import Forbidden, NotFound, Unauthorized

from qinling_trigger import webhooks
from qinling_trigger.webhook_signature import signature_header

FIELDS = {"id", "function_id", "function_version", "function_alias", "description",
          "project_id", "created_at", "updated_at"}


def create(session, caller, function, **values):
    return webhooks.create_webhook(values, db=session, caller=caller, function=function)


def invoke(session, execution, webhook_id, body, header=None):
    return webhooks.invoke_webhook(webhook_id, body, header, db=session, execution=execution)


def test_create_stores_version_zero_and_never_shows_the_secret(session, caller, function):
    webhook = create(session, caller, function, function_id="f1", secret="s3cret")
    assert set(webhook) == FIELDS
    assert (webhook["function_id"], webhook["function_version"]) == ("f1", 0)
    assert webhook["project_id"] == "p1"
    assert "secret" not in webhooks.get_webhook(webhook["id"], db=session, caller=caller)


@pytest.mark.parametrize("values, message", [
    ({"function_id": "nope"}, "Function not found [id=nope]"),
    ({"function_id": "f2", "function_version": 4},
     "FunctionVersion not found [function_id=f2, version_number=4]"),
    ({"function_alias": "nope"}, "FunctionAlias not found [name=nope]"),
    ({"function_id": "f9"}, "Function not found [id=f9]")])
def test_create_needs_an_existing_target(session, caller, function, values, message):
    with pytest.raises(NotFound) as raised:
        create(session, caller, function, **values)
    assert raised.value.message == message
    assert webhooks.list_webhooks(None, db=session, caller=caller) == []


def test_even_an_admin_cannot_expose_another_projects_function(session, function):
    with pytest.raises(NotFound, match=r"^Function not found \[id=f9\]$"):
        create(session, Caller("p1", True), function, function_id="f9")


def test_invoke_submits_an_async_execution_with_the_body(session, caller, function, execution):
    webhook = create(session, caller, function, function_id="f1", function_version=1)
    answer = invoke(session, execution, webhook["id"], '{"name": "qinling"}')
    assert answer == {"execution_id": "e1"}
    assert execution.created == [{
        "function_id": "f1", "function_version": 1, "sync": False,
        "description": f"Created by Webhook {webhook['id']}", "input": '{"name": "qinling"}'}]


def test_invoke_of_an_alias_webhook_names_the_alias(session, caller, function, execution):
    """The execution service resolves the alias when the execution is made: each invoke
    runs what the alias names then."""
    webhook = create(session, caller, function, function_alias="prod")
    assert (webhook["function_id"], webhook["function_version"]) == (None, None)
    invoke(session, execution, webhook["id"], "name=a")
    assert execution.created[0]["function_alias"] == "prod"
    assert "function_id" not in execution.created[0]
    assert json.loads(execution.created[0]["input"]) == {"name": "a"}


@pytest.mark.parametrize("header", [None, "", "sha256=" + "0" * 64, "md5=abc",
                                    signature_header("other", "{}")])
def test_a_signed_webhook_refuses_a_wrong_or_missing_signature(session, caller, function,
                                                               execution, header):
    webhook = create(session, caller, function, function_id="f1", secret="s3cret")
    with pytest.raises(Unauthorized):
        invoke(session, execution, webhook["id"], "{}", header)
    assert execution.created == []


def test_a_signed_webhook_runs_with_the_right_signature(session, caller, function, execution):
    webhook = create(session, caller, function, function_id="f1", secret="s3cret")
    body = '{"a": 1}'
    assert invoke(session, execution, webhook["id"], body,
                  signature_header("s3cret", body)) == {"execution_id": "e1"}


def test_invoke_of_an_unknown_webhook_is_qinlings_404(session, execution):
    with pytest.raises(NotFound, match=r"^Webhook not found \[id=w-x\]$"):
        invoke(session, execution, "w-x", "")


def test_update_repoints_checks_the_target_and_can_remove_the_secret(session, caller, function,
                                                                     execution):
    webhook = create(session, caller, function, function_id="f1", secret="s3cret")
    with pytest.raises(NotFound):
        webhooks.update_webhook(webhook["id"], {"function_alias": "nope"}, db=session,
                                caller=caller, function=function)
    updated = webhooks.update_webhook(webhook["id"], {"function_alias": "prod", "secret": ""},
                                      db=session, caller=caller, function=function)
    assert (updated["function_alias"], updated["function_id"],
            updated["function_version"]) == ("prod", None, None)
    assert updated["updated_at"] is not None
    invoke(session, execution, webhook["id"], "{}")  # no secret any more
    assert len(execution.created) == 1


def test_other_projects_webhooks_are_hidden_but_admins_see_them(session, caller, function):
    webhook = create(session, caller, function, function_id="f1")
    other = Caller("p2", False)
    with pytest.raises(NotFound):
        webhooks.get_webhook(webhook["id"], db=session, caller=other)
    with pytest.raises(NotFound):
        webhooks.delete_webhook(webhook["id"], db=session, caller=other)
    assert webhooks.list_webhooks(None, db=session, caller=other) == []
    with pytest.raises(Forbidden):
        webhooks.list_webhooks({"all_projects": True}, db=session, caller=other)
    admin = Caller("p2", True)
    assert [w["id"] for w in webhooks.list_webhooks({"all_projects": True}, db=session,
                                                    caller=admin)] == [webhook["id"]]


def test_delete_then_get_is_a_404(session, caller, function):
    webhook = create(session, caller, function, function_id="f1")
    webhooks.delete_webhook(webhook["id"], db=session, caller=caller)
    with pytest.raises(NotFound):
        webhooks.get_webhook(webhook["id"], db=session, caller=caller)


def test_function_usage_counts_webhooks_by_function_and_version(session, caller, function):
    create(session, caller, function, function_id="f1")
    create(session, caller, function, function_id="f1", function_version=1)
    create(session, caller, function, function_alias="prod")
    assert webhooks.function_usage("f1", None, db=session) == 2
    assert webhooks.function_usage("f1", 1, db=session) == 1
    assert webhooks.function_usage("f2", None, db=session) == 0
