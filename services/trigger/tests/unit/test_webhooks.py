import json

import pytest

from qinling_nameko.providers import Caller
from qinling_shared.exceptions import Forbidden, InvalidInput, NotFound, Unauthorized

from qinling_trigger import webhook_rules, webhooks
from qinling_trigger.webhook_signature import signature_header

FIELDS = {"id", "function_id", "function_version", "function_alias", "description",
          "project_id", "created_at", "updated_at"}


def create(session, caller, function, **values):
    return webhooks.create_webhook(values, db=session, caller=caller, function=function)


def invoke(session, execution, webhook_id, body, header=None, key=None, request_key=None):
    def submit(project_id, values, idempotency_key, request_key=None):
        execution.projects.append(project_id)
        return execution.create_execution(values, idempotency_key, request_key)
    return webhooks.invoke_webhook(webhook_id, body, header, db=session, submit=submit,
                                   idempotency_key=key, request_key=request_key)


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
    assert execution.projects == ["p1"]   # the webhook's project: the invoker is anonymous
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


def test_a_repeated_idempotency_key_returns_the_first_execution(session, caller, function,
                                                                execution):
    """Two requests (each its own request key) with the client's key: one execution, run
    once; another key makes another."""
    webhook = create(session, caller, function, function_id="f1")
    first = invoke(session, execution, webhook["id"], "{}", key="order-42", request_key="r1")
    again = invoke(session, execution, webhook["id"], '{"a": 2}', key="order-42",
                   request_key="r2")
    assert first == again == {"execution_id": "e1"}
    assert len(execution.created) == 1
    assert invoke(session, execution, webhook["id"], "{}", key="order-43",
                  request_key="r3") == {"execution_id": "e2"}
    scoped = webhook_rules.idempotency_key(webhook["id"], "order-42")
    assert execution.keys[:2] == [(scoped, "r1"), (scoped, "r2")]


def test_the_clients_key_is_scoped_to_the_webhook(session, caller, function, execution):
    one = create(session, caller, function, function_id="f1")
    other = create(session, caller, function, function_id="f1")
    invoke(session, execution, one["id"], "{}", key="order-42", request_key="r1")
    invoke(session, execution, other["id"], "{}", key="order-42", request_key="r2")
    assert len(execution.created) == 2
    assert execution.keys[0][0].startswith(f"qinling-webhook:{one['id']}:")
    assert execution.keys[1][0].startswith(f"qinling-webhook:{other['id']}:")


def test_a_redelivered_invoke_returns_the_first_execution(session, caller, function,
                                                          execution):
    """Without a client's key, the gateway's request key: the same request handled twice
    (its RPC redelivered to a trigger replica) makes one execution, other requests others."""
    webhook = create(session, caller, function, function_id="f1")
    first = invoke(session, execution, webhook["id"], "{}", request_key="r1")
    assert invoke(session, execution, webhook["id"], "{}", request_key="r1") == first
    assert execution.keys == [(None, "r1"), (None, "r1")]
    assert invoke(session, execution, webhook["id"], "{}", request_key="r2") != first
    assert len(execution.created) == 2


@pytest.mark.parametrize("key", ["k" * 256, "a\x00b"])
def test_a_bad_idempotency_key_is_a_400_and_nothing_runs(session, caller, function, execution,
                                                         key):
    webhook = create(session, caller, function, function_id="f1")
    with pytest.raises(InvalidInput, match="^Invalid Idempotency-Key"):
        invoke(session, execution, webhook["id"], "{}", key=key, request_key="r1")
    assert execution.created == []


def test_a_wrong_signature_is_checked_before_the_key(session, caller, function, execution):
    webhook = create(session, caller, function, function_id="f1", secret="s3cret")
    with pytest.raises(Unauthorized):
        invoke(session, execution, webhook["id"], "{}", key="k" * 256)
