"""Event triggers with a real broker: real notifications (oslo.messaging's ``Notifier``)
reach the trigger service's own queue, bound as the triggers need, and submit executions to
the execution service (a stand-in here); malformed messages are dropped, failed submits
redelivered."""
import json
import urllib.parse

import eventlet
import kombu
import pytest
import requests
from nameko.standalone.rpc import ServiceRpcProxy

from qinling_nameko.rpc import rpc
from qinling_shared.exceptions import Forbidden, InvalidInput, NotFound
from qinling_testing import notifier

from qinling_trigger.notification_consumer import DEFAULT_QUEUE
from qinling_trigger.service import TriggerService

PROJECT = "default"      # the project of a caller without Keystone
SUBMITTED = []           # (values, idempotency key, project)
FAILURES = []            # exceptions the next create_execution calls raise
DEADLINE = 10
MANAGEMENT = "http://127.0.0.1:15672"


class ExecutionStandIn:
    name = "execution"

    @rpc
    def create_execution(self, values, idempotency_key=None, request_key=None):
        if FAILURES:
            raise FAILURES.pop(0)
        if idempotency_key not in [key for _, key in SUBMITTED]:
            SUBMITTED.append((values, idempotency_key))
        return {"id": f"e{[key for _, key in SUBMITTED].index(idempotency_key) + 1}"}


@pytest.fixture
def config(rabbit_config, tmp_path):
    return {**rabbit_config, "DATABASE_URL": f"sqlite:///{tmp_path}/trigger.sqlite"}


@pytest.fixture
def trigger(container_factory, config, function_stand_in):
    SUBMITTED.clear()
    FAILURES.clear()
    for cls in (TriggerService, function_stand_in, ExecutionStandIn):
        container_factory(cls, config).start()
    with ServiceRpcProxy("trigger", config) as proxy:
        yield proxy


def publish(config, exchange, event_type, payload, context=None):
    notifier.publish(config["AMQP_URI"], exchange, event_type, payload, context)


def wait_for(count):
    with eventlet.Timeout(DEADLINE):
        while len(SUBMITTED) < count:
            eventlet.sleep(0.01)


def test_a_matching_notification_submits_its_execution_once(trigger, config):
    created = trigger.create_event_trigger({
        "function_id": "f1", "event_type": "compute.instance.create.*",
        "filters": {"flavor.name": "m1.small"}})
    assert created["exchanges"] == ["nova", "cinder", "glance", "neutron", "openstack"]
    assert trigger.function_usage("f1") == {"jobs": 0, "webhooks": 0, "event_triggers": 1}
    context = {"project_id": PROJECT, "user_id": "u1"}
    publish(config, "nova", "compute.instance.delete.end", {"flavor": {"name": "m1.small"}},
            context)
    publish(config, "nova", "compute.instance.create.end", {"flavor": {"name": "m1.large"}},
            context)
    publish(config, "nova", "compute.instance.create.end", {"flavor": {"name": "m1.small"}},
            {**context, "project_id": "another"})
    publish(config, "nova", "compute.instance.create.end", {"flavor": {"name": "m1.small"}},
            context)
    wait_for(1)
    values, key = SUBMITTED[0]
    received = json.loads(values["input"])
    assert received["event_type"] == "compute.instance.create.end"
    assert received["payload"] == {"flavor": {"name": "m1.small"}}
    assert key == f"event-trigger:{created['id']}:{received['message_id']}"
    assert values["description"] == f"Created by Event trigger {created['id']}"
    assert values["function_id"] == "f1" and values["function_version"] == 0
    # the three that do not match were consumed before it (one queue, in order)
    assert len(SUBMITTED) == 1


def test_a_glance_notification_without_context_matches_by_owner(trigger, config):
    trigger.create_event_trigger({"function_id": "f1", "event_type": "image.*",
                                  "exchanges": ["glance"]})
    publish(config, "nova", "image.upload", {"owner": PROJECT})   # not its exchange
    publish(config, "glance", "image.upload", {"owner": PROJECT, "id": "i1"})
    wait_for(1)
    assert json.loads(SUBMITTED[0][0]["input"])["payload"]["id"] == "i1"
    assert len(SUBMITTED) == 1


def test_a_malformed_message_is_dropped_and_the_next_one_runs(trigger, config):
    trigger.create_event_trigger({"function_id": "f1", "event_type": "volume.*",
                                  "exchanges": ["openstack"]})
    with kombu.Connection(config["AMQP_URI"]) as connection:
        producer = connection.Producer()
        exchange = kombu.Exchange("openstack", "topic", durable=False)
        for body, content_type in ((b"not json", "application/json"),
                                   (b'{"payload": {}}', "application/json"),
                                   (b"\xff\xfe", "application/octet-stream")):
            producer.publish(body, exchange=exchange, routing_key="notifications.info",
                             content_type=content_type, content_encoding="binary")
    publish(config, "openstack", "volume.create.end", {"tenant_id": PROJECT})
    wait_for(1)
    assert json.loads(SUBMITTED[0][0]["input"])["event_type"] == "volume.create.end"


def test_a_failed_submit_is_redelivered_and_runs_once(trigger, config):
    trigger.create_event_trigger({"function_id": "f1", "event_type": "port.*",
                                  "exchanges": ["neutron"]})
    FAILURES.append(RuntimeError("the execution service is away"))
    publish(config, "neutron", "port.create.end", {"tenant_id": PROJECT})
    wait_for(1)
    assert FAILURES == [] and len(SUBMITTED) == 1


def test_rules_of_the_resource(trigger):
    with pytest.raises(InvalidInput):
        trigger.create_event_trigger({"function_id": "f1"})
    with pytest.raises(NotFound):
        trigger.create_event_trigger({"function_id": "f2", "event_type": "*"})
    with pytest.raises(Forbidden):
        trigger.create_event_trigger({"function_id": "f1", "event_type": "*",
                                      "all_projects": True})
    created = trigger.create_event_trigger({"function_id": "f1", "event_type": "*",
                                            "name": "all"})
    updated = trigger.update_event_trigger(created["id"], {"topics": ["versioned_notifications"],
                                                           "exchanges": None})
    assert updated["topics"] == ["versioned_notifications"]
    assert [t["id"] for t in trigger.list_event_triggers()] == [created["id"]]
    trigger.delete_event_trigger(created["id"])
    with pytest.raises(NotFound, match=f"Event trigger not found \\[id={created['id']}\\]"):
        trigger.get_event_trigger(created["id"])


def queue_bindings(config):
    """The (exchange, routing key) bindings of the trigger service's queue, from RabbitMQ's
    management API (the default exchange's binding left out)."""
    vhost = urllib.parse.quote(config["vhost"], safe="")
    response = requests.get(f"{MANAGEMENT}/api/queues/{vhost}/{DEFAULT_QUEUE}/bindings",
                            auth=("guest", "guest"), timeout=10)
    response.raise_for_status()
    return sorted((b["source"], b["routing_key"]) for b in response.json() if b["source"])


def test_the_queue_is_bound_as_the_triggers_need(trigger, config):
    first = trigger.create_event_trigger({"function_id": "f1", "event_type": "image.*",
                                          "exchanges": ["glance"]})
    assert queue_bindings(config) == [("glance", "notifications.*")]
    second = trigger.create_event_trigger({
        "function_id": "f1", "event_type": "instance.*", "exchanges": ["nova", "glance"],
        "topics": ["versioned_notifications"]})
    assert queue_bindings(config) == [
        ("glance", "notifications.*"), ("glance", "versioned_notifications.*"),
        ("nova", "versioned_notifications.*")]
    trigger.update_event_trigger(second["id"], {"exchanges": ["nova"]})
    assert queue_bindings(config) == [("glance", "notifications.*"),
                                      ("nova", "versioned_notifications.*")]
    trigger.delete_event_trigger(first["id"])
    trigger.delete_event_trigger(second["id"])
    assert queue_bindings(config) == []
