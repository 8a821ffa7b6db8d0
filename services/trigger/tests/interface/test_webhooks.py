"""Webhooks over RPC with a real broker: the trigger service calls the function and
execution services (stand-ins here) and its errors arrive typed, the 401 among them."""
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from qinling_nameko.rpc import rpc
from qinling_shared.exceptions import InvalidInput, NotFound, Unauthorized

from qinling_trigger import webhook_rules
from qinling_trigger.service import TriggerService
from qinling_trigger.webhook_signature import signature_header

SUBMITTED = []
KEYS = []


class ExecutionStandIn:
    name = "execution"

    @rpc
    def create_execution(self, values, idempotency_key=None, request_key=None):
        KEYS.append((idempotency_key, request_key))
        SUBMITTED.append(values)
        return {"id": f"e{len(SUBMITTED)}"}


@pytest.fixture
def trigger(container_factory, rabbit_config, tmp_path, function_stand_in):
    SUBMITTED.clear()
    KEYS.clear()
    config = {**rabbit_config, "DATABASE_URL": f"sqlite:///{tmp_path}/trigger.sqlite"}
    for cls in (TriggerService, function_stand_in, ExecutionStandIn):
        container_factory(cls, config).start()
    with ServiceRpcProxy("trigger", config) as proxy:
        yield proxy


def test_webhook_lifecycle_and_signed_invoke(trigger):
    webhook = trigger.create_webhook({"function_id": "f1", "secret": "k"})
    assert webhook["function_version"] == 0 and "secret" not in webhook
    assert trigger.function_usage("f1") == {"jobs": 0, "webhooks": 1, "event_triggers": 0}
    with pytest.raises(Unauthorized):
        trigger.invoke_webhook(webhook["id"], "{}", None)
    assert SUBMITTED == []
    assert trigger.invoke_webhook(webhook["id"], "{}", signature_header("k", "{}")) == \
        {"execution_id": "e1"}
    assert SUBMITTED[0]["description"] == f"Created by Webhook {webhook['id']}"
    assert [w["id"] for w in trigger.list_webhooks()] == [webhook["id"]]
    trigger.delete_webhook(webhook["id"])
    with pytest.raises(NotFound):
        trigger.get_webhook(webhook["id"])


def test_a_missing_target_is_the_function_services_404(trigger):
    with pytest.raises(NotFound, match=r"Function not found \[id=f9\]"):
        trigger.create_webhook({"function_id": "f9"})
    with pytest.raises(NotFound, match=r"FunctionAlias not found \[name=prod\]"):
        trigger.create_webhook({"function_alias": "prod"})


def test_invoke_passes_the_scoped_client_key_and_the_request_key_on(trigger):
    webhook = trigger.create_webhook({"function_id": "f1"})
    trigger.invoke_webhook(webhook["id"], "{}", None, idempotency_key="order-42",
                           request_key="r-1")
    trigger.invoke_webhook(webhook["id"], "{}")   # an older gateway's call: no keys
    assert KEYS == [(webhook_rules.idempotency_key(webhook["id"], "order-42"), "r-1"),
                    (None, None)]
    with pytest.raises(InvalidInput, match="Invalid Idempotency-Key"):
        trigger.invoke_webhook(webhook["id"], "{}", None, idempotency_key="k" * 256)
    assert len(SUBMITTED) == 2
