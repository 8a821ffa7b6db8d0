"""Which trigger a notification starts, the execution's input and key, and the bindings."""
import json

import pytest

from qinling_trigger import notification_envelopes as envelopes
from qinling_trigger import notification_matching as matching
from qinling_trigger import event_trigger_rules as rules

from qinling_testing.notification_samples import payload_only, GLANCE_IMAGE_CREATE, NEUTRON_PORT_CREATE, NOVA_LEGACY, NOVA_VERSIONED, OTHER, PROJECT, TRIGGER_ID, envelope


# --- matching -------------------------------------------------------------------------------

def trigger(event_type="compute.instance.create.*", project_id=PROJECT, all_projects=False,
            filters=None):
    return {"id": TRIGGER_ID, "event_type": event_type, "project_id": project_id,
            "all_projects": all_projects, "filters": filters or {}}


NOVA = envelopes.unwrap(envelope(NOVA_LEGACY))
VERSIONED = envelopes.unwrap(envelope(NOVA_VERSIONED))
GLANCE = envelopes.unwrap(envelope(GLANCE_IMAGE_CREATE))
NEUTRON = envelopes.unwrap(envelope(NEUTRON_PORT_CREATE))
ORPHAN = envelopes.unwrap(envelope(payload_only({"size": 1})))   # no project at all


@pytest.mark.parametrize("rule, notification, expected", [
    # the event type glob
    (trigger(), NOVA, True),
    (trigger("compute.instance.create.end"), NOVA, True),
    (trigger("compute.instance.*"), NOVA, True),
    (trigger("*"), NOVA, True),
    (trigger("compute.instance.create.start"), NOVA, False),
    (trigger("compute.instance.delete.*"), NOVA, False),
    (trigger("Compute.Instance.Create.*"), NOVA, False),          # case-sensitive
    (trigger("compute.instance.create"), NOVA, False),            # whole type, no prefix
    (trigger("compute.instance.create.?nd"), NOVA, True),
    (trigger("compute.instance.create.[!e]*"), NOVA, False),
    (trigger("instance.create.*"), VERSIONED, True),
    (trigger("compute.instance.create.*"), VERSIONED, False),
    (trigger("image.create"), GLANCE, True),
    (trigger("port.*.end"), NEUTRON, True),
    # the project
    (trigger(project_id=OTHER), NOVA, False),
    (trigger(project_id=OTHER, all_projects=True), NOVA, True),
    (trigger("image.*", project_id=OTHER), GLANCE, False),
    (trigger("x.y"), ORPHAN, False),
    (trigger("x.y", all_projects=True), ORPHAN, True),
    # payload filters
    (trigger(filters={"state": "active"}), NOVA, True),
    (trigger(filters={"state": "error"}), NOVA, False),
    (trigger(filters={"state": "active", "image_meta.os": "linux"}), NOVA, True),
    (trigger(filters={"state": "active", "image_meta.os": "windows"}), NOVA, False),
    (trigger(filters={"image_meta.kernel": "linux"}), NOVA, False),     # missing leaf
    (trigger(filters={"missing.os": "linux"}), NOVA, False),            # missing branch
    (trigger(filters={"state.value": "active"}), NOVA, False),          # through a string
    (trigger(filters={"fixed_ips.0.address": "10.0.0.5"}), NOVA, False),  # no list indexes
    (trigger(filters={"memory_mb": 2048}), NOVA, True),
    (trigger(filters={"memory_mb": 2048.0}), NOVA, True),
    (trigger(filters={"memory_mb": "2048"}), NOVA, False),
    (trigger(filters={"vcpus": True}), NOVA, False),                    # true is not 1
    (trigger(filters={"_context_is_admin": False}), NOVA, False),       # payload only
    (trigger(filters={"image_meta": "linux"}), NOVA, False),            # object vs scalar
    (trigger(filters={"state_description": ""}), NOVA, True),
    (trigger(filters={"state_description": None}), NOVA, False),
    (trigger("image.create", filters={"disk_format": None}), GLANCE, True),
    (trigger("image.create", filters={"size": None, "visibility": "private"}), GLANCE, True),
    (trigger("image.create", filters={"checksum": None}), GLANCE, False),  # missing ≠ null
    (trigger("instance.*", filters={"flavor.name": "m1.small"}), VERSIONED, True),
    (trigger("instance.*", filters={"flavor.name": "m1.large"}), VERSIONED, False),
    (trigger("instance.*", filters={"nova_object.data.state": "active"}), VERSIONED, False),
    (trigger("port.create.end", filters={"port.device_owner": "compute:nova"}), NEUTRON, True),
    (trigger("port.create.end", filters={"port.status": "ACTIVE"}), NEUTRON, False),
])
def test_matching(rule, notification, expected):
    assert matching.matches(rule, notification) is expected


def test_the_execution_input_and_description():
    assert matching.execution_input(NOVA) == {
        "event_type": "compute.instance.create.end",
        "publisher_id": "compute.compute-1",
        "timestamp": "2026-12-06 21:30:01.123456",
        "payload": NOVA_LEGACY["payload"],
        "message_id": "c3b7b5a4-9c1e-4d8f-a2b3-4c5d6e7f8091",
    }
    assert matching.execution_input(VERSIONED)["payload"]["flavor"]["name"] == "m1.small"
    assert json.loads(json.dumps(matching.execution_input(GLANCE))) == matching.execution_input(GLANCE)
    assert TRIGGER_ID in matching.execution_description(TRIGGER_ID)


# --- the idempotency key --------------------------------------------------------------------

def test_the_idempotency_key_names_the_trigger_and_the_message():
    key = matching.idempotency_key(TRIGGER_ID, NOVA["message_id"])
    assert key == f"event-trigger:{TRIGGER_ID}:{NOVA['message_id']}"
    assert matching.idempotency_key(TRIGGER_ID, NOVA["message_id"]) == key
    assert matching.idempotency_key(TRIGGER_ID, GLANCE["message_id"]) != key
    assert matching.idempotency_key("another-trigger", NOVA["message_id"]) != key


@pytest.mark.parametrize("message_id", [
    "m" * 300, "évènement-1", "line\nbreak", "tab\there", "\x00",
])
def test_a_message_id_that_does_not_fit_is_hashed(message_id):
    key = matching.idempotency_key(TRIGGER_ID, message_id)
    assert key.startswith(f"event-trigger:{TRIGGER_ID}:sha256:")
    assert len(key) <= 255 and key.isascii() and key.isprintable()
    assert matching.idempotency_key(TRIGGER_ID, message_id) == key
    assert matching.idempotency_key(TRIGGER_ID, message_id + "x") != key


def test_the_key_of_a_content_id_fits_as_is():
    message_id = envelopes.unwrap(payload_only({}))["message_id"]
    assert matching.idempotency_key(TRIGGER_ID, message_id) == f"event-trigger:{TRIGGER_ID}:{message_id}"


def test_the_keys_keep_the_execution_service_rules():
    from qinling_execution.requests_rules import idempotency_key as execution_rule
    for message_id in ("c3b7b5a4-9c1e-4d8f-a2b3-4c5d6e7f8091", "m" * 300, "évènement"):
        key = matching.idempotency_key(TRIGGER_ID, message_id)
        assert execution_rule(key) == key


# --- bindings -------------------------------------------------------------------------------

def test_the_bindings_follow_oslo_messaging_declarations():
    bindings = matching.queue_bindings(["nova", "openstack"], ["notifications", "versioned_notifications"])
    assert bindings == [
        {"exchange": "nova", "exchange_type": "topic", "durable": False, "auto_delete": False,
         "routing_key": "notifications.*"},
        {"exchange": "nova", "exchange_type": "topic", "durable": False, "auto_delete": False,
         "routing_key": "versioned_notifications.*"},
        {"exchange": "openstack", "exchange_type": "topic", "durable": False,
         "auto_delete": False, "routing_key": "notifications.*"},
        {"exchange": "openstack", "exchange_type": "topic", "durable": False,
         "auto_delete": False, "routing_key": "versioned_notifications.*"},
    ]
    assert all(b["durable"] for b in matching.queue_bindings(["nova"], ["notifications"], durable=True))


def test_the_bindings_of_several_triggers_appear_once():
    defaults = rules.new_event_trigger({"function_id": "f", "event_type": "*"})
    cinder = {"exchanges": ["cinder", "openstack"], "topics": ["notifications"]}
    bindings = matching.all_bindings([defaults, cinder, defaults])
    pairs = [(b["exchange"], b["routing_key"]) for b in bindings]
    assert pairs == sorted({(e, "notifications.*") for e in rules.DEFAULT_EXCHANGES})
    assert matching.all_bindings([]) == []
