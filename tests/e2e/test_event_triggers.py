"""Event triggers on the live platform, with real notifications: oslo.messaging's
``Notifier`` (driver ``messagingv2``) publishes on the exchanges Nova, Cinder and Glance use,
on the platform's RabbitMQ, and the trigger service runs the functions they match.

A test knows every message it published was handled when the trigger service's
``qinling_service_calls`` counter of ``handle_notification`` (``GET /metrics``) has moved by
as many: only then does "nothing ran" mean something."""
import json
import time

import kombu
import pytest
from prometheus_client.parser import text_string_to_metric_families

from qinling_testing import notifier
from qinling_testing.packages import zip_package

ECHO = "def main(**kwargs):\n    return kwargs\n"   # the notification's fields, as given
NOVA_EVENT = "compute.instance.create.end"
DEADLINE = 60.0
BURST = 500
BURST_DEADLINE = 300.0


@pytest.fixture
def echo_function(api, runtime_id):
    response = api.create_function(runtime_id, name="echo",
                                   package=zip_package({"main.py": ECHO}))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def publish(platform):
    def publish(exchange, event_type, payload, context=None, **kwargs):
        notifier.publish(platform.rabbit.transport_url, exchange, event_type, payload, context,
                         **kwargs)
    return publish


def create_trigger(api, **fields):
    response = api.post("/v1/event_triggers", json=fields)
    assert response.status_code == 201, response.text
    return response.json()


def handled(api):
    """How many messages the trigger services have handled (each ends one call)."""
    families = text_string_to_metric_families(api.get("/metrics").text)
    family = next((f for f in families if f.name == "qinling_service_calls"), None)
    return sum(sample.value for sample in (family.samples if family else ())
               if sample.labels.get("entrypoint") == "handle_notification"
               and sample.name.endswith("_total"))


def wait_until(condition, what, deadline=DEADLINE, interval=0.05):
    end = time.monotonic() + deadline
    while not (value := condition()):
        assert time.monotonic() < end, f"{what}: not within {deadline:g} s"
        time.sleep(interval)
    return value


def executions(api, function_id):
    response = api.get("/v1/executions", params={"function_id": function_id, "limit": 1000})
    assert response.status_code == 200, response.text
    return response.json()["executions"]


def finished(api, function_id, count):
    """The function's executions once ``count`` of them are finished, else ``None``."""
    found = executions(api, function_id)
    done = [e for e in found if e["status"] in ("success", "failed")]
    return found if len(done) >= count else None


def test_event_trigger_lifecycle(api, echo_function):
    trigger = create_trigger(api, function_id=echo_function["id"], event_type="image.*",
                             name="images")
    assert trigger["exchanges"] == ["nova", "cinder", "glance", "neutron", "openstack"]
    assert (trigger["topics"], trigger["filters"], trigger["all_projects"]) == \
        (["notifications"], {}, False)
    assert trigger["function_version"] == 0 and trigger["project_id"]
    path = f"/v1/event_triggers/{trigger['id']}"
    assert api.get(path).json() == trigger
    changed = api.put(path, json={"exchanges": ["glance"], "filters": {"visibility": "public"}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["exchanges"] == ["glance"]
    assert [t["id"] for t in api.get("/v1/event_triggers").json()["event_triggers"]] == \
        [trigger["id"]]
    refused = api.delete(f"/v1/functions/{echo_function['id']}")
    assert refused.status_code == 403 and "event trigger" in refused.json()["faultstring"]
    assert api.post("/v1/event_triggers", json={"function_id": echo_function["id"]}) \
        .status_code == 400
    assert api.delete(path).status_code == 204
    missing = api.get(path)
    assert missing.status_code == 404
    assert missing.json()["faultstring"] == f"Event trigger not found [id={trigger['id']}]"


def test_a_matching_nova_notification_runs_the_function_with_its_payload(
        api, echo_function, publish):
    function_id = echo_function["id"]
    project = echo_function["project_id"]
    trigger = create_trigger(api, function_id=function_id, event_type="compute.instance.*.end",
                             filters={"flavor.name": "m1.small"})
    context = {"project_id": project, "user_id": "u1"}
    before = handled(api)
    publish("nova", "compute.instance.delete.start", {"flavor": {"name": "m1.small"}}, context)
    publish("nova", NOVA_EVENT, {"flavor": {"name": "m1.large"}}, context)   # filter fails
    publish("nova", NOVA_EVENT, {"flavor": {"name": "m1.small"}},
            {**context, "project_id": "another-project"})
    publish("nova", NOVA_EVENT, {"flavor": {"name": "m1.small"}, "uuid": "vm-1"}, context,
            publisher_id="compute.host-1")
    wait_until(lambda: handled(api) >= before + 4, "4 notifications handled")
    [execution] = wait_until(lambda: finished(api, function_id, 1), "the execution")
    assert execution["status"] == "success", execution
    assert execution["description"] == f"Created by Event trigger {trigger['id']}"
    received = json.loads(execution["input"])
    assert received["payload"] == {"flavor": {"name": "m1.small"}, "uuid": "vm-1"}
    assert (received["event_type"], received["publisher_id"]) == (NOVA_EVENT,
                                                                 "compute.host-1")
    assert received["message_id"] and received["timestamp"]
    assert json.loads(execution["result"])["output"] == received
    assert len(executions(api, function_id)) == 1


def test_a_glance_notification_without_context_matches_by_owner(api, echo_function, publish):
    function_id = echo_function["id"]
    create_trigger(api, function_id=function_id, event_type="image.upload",
                   exchanges=["glance"])
    before = handled(api)
    publish("glance", "image.upload", {"id": "img-1", "owner": "another-project"})
    publish("glance", "image.upload", {"id": "img-2", "owner": echo_function["project_id"]})
    wait_until(lambda: handled(api) >= before + 2, "2 notifications handled")
    [execution] = wait_until(lambda: finished(api, function_id, 1), "the execution")
    assert json.loads(execution["input"])["payload"]["id"] == "img-2"


def test_a_malformed_message_is_dropped_and_the_next_one_runs(
        api, platform, echo_function, publish):
    function_id = echo_function["id"]
    create_trigger(api, function_id=function_id, event_type="volume.create.*",
                   exchanges=["openstack", "cinder"])
    before = handled(api)
    url = notifier.rabbit_url(platform.rabbit.transport_url).replace("rabbit://", "amqp://", 1)
    with kombu.Connection(url) as connection:
        producer = connection.Producer()
        exchange = kombu.Exchange("openstack", "topic", durable=False)
        for body in (b"{not json", b'{"payload": {"no": "event_type"}}',
                     b'{"oslo.version": "2.0", "oslo.message": "[1]"}'):
            producer.publish(body, exchange=exchange, routing_key="notifications.error",
                             content_type="application/json", content_encoding="utf-8")
    publish("openstack", "volume.create.end", {"volume_id": "v1",
                                               "tenant_id": echo_function["project_id"]})
    publish("cinder", "volume.create.start", {"volume_id": "v2",
                                              "tenant_id": echo_function["project_id"]})
    wait_until(lambda: handled(api) >= before + 5, "5 messages handled")
    found = wait_until(lambda: finished(api, function_id, 2), "the executions")
    assert sorted(json.loads(e["input"])["payload"]["volume_id"] for e in found) == \
        ["v1", "v2"]


def test_a_burst_of_notifications_runs_each_once(api, echo_function, publish):
    function_id = echo_function["id"]
    create_trigger(api, function_id=function_id, event_type="compute.instance.create.end",
                   exchanges=["nova"])
    context = {"project_id": echo_function["project_id"]}
    for n in range(BURST):
        publish("nova", NOVA_EVENT, {"n": n}, context)
    found = wait_until(lambda: finished(api, function_id, BURST), f"{BURST} executions",
                       deadline=BURST_DEADLINE, interval=0.5)
    numbers = [json.loads(e["input"])["payload"]["n"] for e in found]
    assert sorted(numbers) == list(range(BURST))   # none lost, none twice
    assert {e["status"] for e in found} == {"success"}
