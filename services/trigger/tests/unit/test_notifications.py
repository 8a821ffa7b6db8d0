"""The rules of event triggers, on notifications shaped as Nova, Glance, Cinder and Neutron
publish them through oslo.messaging (``messagingv2`` envelopes and v1 bare messages)."""
import copy
import json

import pytest

from qinling_shared.exceptions import InvalidInput
from qinling_trigger import notifications as n

PROJECT = "6f2b1c0e8a8d4b7f9e3a2d1c0b9a8f7e"
OTHER = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
TRIGGER_ID = "5a2e6c1b-3f4d-4e8a-9b7c-1d2e3f4a5b6c"


def envelope(message):
    """The AMQP body oslo.messaging's ``messagingv2`` driver publishes."""
    return json.dumps({"oslo.version": "2.0", "oslo.message": json.dumps(message)}).encode()


NOVA_LEGACY = {
    "_context_project_id": PROJECT,
    "_context_user_id": "a8c5b1e2d3f44c5d8e9f0a1b2c3d4e5f",
    "_context_request_id": "req-7b1f4e0c-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
    "_context_roles": ["member", "reader"],
    "_context_is_admin": False,
    "_unique_id": "2b9b0e0c4d4e4f0a9c1d2e3f4a5b6c7d",
    "message_id": "c3b7b5a4-9c1e-4d8f-a2b3-4c5d6e7f8091",
    "publisher_id": "compute.compute-1",
    "event_type": "compute.instance.create.end",
    "priority": "INFO",
    "timestamp": "2026-12-06 21:30:01.123456",
    "payload": {
        "tenant_id": PROJECT,
        "user_id": "a8c5b1e2d3f44c5d8e9f0a1b2c3d4e5f",
        "instance_id": "9d3c1b2a-8f7e-4d6c-b5a4-3e2f1d0c9b8a",
        "display_name": "web-1",
        "instance_type": "m1.small",
        "memory_mb": 2048,
        "vcpus": 1,
        "state": "active",
        "state_description": "",
        "image_meta": {"os_distro": "ubuntu", "os": "linux", "min_ram": "0"},
        "fixed_ips": [{"address": "10.0.0.5", "version": 4}],
    },
}

NOVA_VERSIONED = {
    "_context_project_id": PROJECT,
    "_context_user_id": "a8c5b1e2d3f44c5d8e9f0a1b2c3d4e5f",
    "message_id": "0e4d2c1b-7a6f-4e5d-9c8b-1a2b3c4d5e6f",
    "publisher_id": "nova-compute:compute-1",
    "event_type": "instance.create.end",
    "priority": "INFO",
    "timestamp": "2026-12-06 21:30:02.654321",
    "payload": {
        "nova_object.name": "InstanceCreatePayload",
        "nova_object.namespace": "nova",
        "nova_object.version": "1.12",
        "nova_object.data": {
            "uuid": "9d3c1b2a-8f7e-4d6c-b5a4-3e2f1d0c9b8a",
            "tenant_id": PROJECT,
            "state": "active",
            "power_state": "running",
            "flavor": {
                "nova_object.name": "FlavorPayload",
                "nova_object.namespace": "nova",
                "nova_object.version": "1.4",
                "nova_object.data": {"name": "m1.small", "memory_mb": 2048, "vcpus": 1},
            },
            "block_devices": [{
                "nova_object.name": "BlockDevicePayload",
                "nova_object.namespace": "nova",
                "nova_object.version": "1.0",
                "nova_object.data": {"boot_index": 0, "volume_id": "v-1"},
            }],
        },
    },
}

GLANCE_IMAGE_CREATE = {   # Glance publishes with an empty context: no _context_* keys
    "message_id": "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910",
    "publisher_id": "image.localhost",
    "event_type": "image.create",
    "priority": "INFO",
    "timestamp": "2026-12-06 21:31:00.000001",
    "payload": {
        "id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "name": "cirros-0.6.2",
        "owner": PROJECT,
        "status": "queued",
        "visibility": "private",
        "disk_format": None,
        "container_format": None,
        "size": None,
        "tags": [],
    },
}

CINDER_VOLUME_CREATE = {   # published on the "openstack" exchange by default
    "_context_project_id": PROJECT,
    "_context_user_id": "a8c5b1e2d3f44c5d8e9f0a1b2c3d4e5f",
    "message_id": "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9",
    "publisher_id": "volume.cinder-volume-1@lvm#lvm",
    "event_type": "volume.create.end",
    "priority": "INFO",
    "timestamp": "2026-12-06 21:32:10.500000",
    "payload": {
        "tenant_id": PROJECT,
        "user_id": "a8c5b1e2d3f44c5d8e9f0a1b2c3d4e5f",
        "volume_id": "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
        "display_name": "data",
        "size": 1,
        "status": "available",
        "volume_type": "lvmdriver-1",
        "metadata": [],
    },
}

NEUTRON_PORT_CREATE = {
    "_context_project_id": PROJECT,
    "_context_tenant_id": PROJECT,
    "_context_is_admin": False,
    "message_id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
    "publisher_id": "network.neutron-server-1",
    "event_type": "port.create.end",
    "priority": "INFO",
    "timestamp": "2026-12-06 21:33:00.250000",
    "payload": {"port": {
        "id": "5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f",
        "tenant_id": PROJECT,
        "project_id": PROJECT,
        "network_id": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
        "device_owner": "compute:nova",
        "status": "DOWN",
        "fixed_ips": [{"ip_address": "10.0.0.7", "subnet_id": "s-1"}],
    }},
}


# --- unwrapping -----------------------------------------------------------------------------

@pytest.mark.parametrize("message, event_type, publisher_id, project, payload_check", [
    (NOVA_LEGACY, "compute.instance.create.end", "compute.compute-1", PROJECT,
     lambda p: p["image_meta"]["os"] == "linux"),
    (NOVA_VERSIONED, "instance.create.end", "nova-compute:compute-1", PROJECT,
     lambda p: p["flavor"] == {"name": "m1.small", "memory_mb": 2048, "vcpus": 1}
     and p["block_devices"] == [{"boot_index": 0, "volume_id": "v-1"}]
     and "nova_object.name" not in p),
    (GLANCE_IMAGE_CREATE, "image.create", "image.localhost", PROJECT,
     lambda p: p["name"] == "cirros-0.6.2" and p["disk_format"] is None),
    (CINDER_VOLUME_CREATE, "volume.create.end", "volume.cinder-volume-1@lvm#lvm", PROJECT,
     lambda p: p["status"] == "available" and p["size"] == 1),
    (NEUTRON_PORT_CREATE, "port.create.end", "network.neutron-server-1", PROJECT,
     lambda p: p["port"]["status"] == "DOWN"),
], ids=["nova-legacy", "nova-versioned", "glance", "cinder", "neutron"])
def test_unwraps_a_v2_envelope(message, event_type, publisher_id, project, payload_check):
    notification = n.unwrap(envelope(message))
    assert notification["event_type"] == event_type
    assert notification["publisher_id"] == publisher_id
    assert notification["timestamp"] == message["timestamp"]
    assert notification["message_id"] == message["message_id"]
    assert notification["priority"] == "INFO"
    assert notification["project"] == project
    assert payload_check(notification["payload"])


@pytest.mark.parametrize("message", [NOVA_LEGACY, NOVA_VERSIONED, GLANCE_IMAGE_CREATE])
def test_a_v1_bare_message_and_every_body_form_unwrap_alike(message):
    v2 = n.unwrap(envelope(message))
    assert n.unwrap(json.dumps(message).encode()) == v2          # v1, bytes
    assert n.unwrap(json.dumps(message)) == v2                   # v1, text
    assert n.unwrap(copy.deepcopy(message)) == v2                # v1, decoded by kombu
    assert n.unwrap(json.loads(envelope(message))) == v2         # v2, decoded by kombu


def test_unwrapping_leaves_the_message_untouched():
    message = copy.deepcopy(NOVA_VERSIONED)
    n.unwrap(message)
    assert message == NOVA_VERSIONED


BAD_BODIES = [
    (b"not json at all", "not JSON"),
    (b"", "not JSON"),
    (b"\xff\xfe\xfa", "not JSON"),
    (b"[1, 2, 3]", "not a JSON object"),
    (b'"compute.instance.create.end"', "not a JSON object"),
    (b"[" * 100 + b"]" * 100, "nesting too deep"),
    (json.dumps({"oslo.version": "2.0", "oslo.message": {"event_type": "x"}}).encode(),
     "oslo.message is not a JSON string"),
    (json.dumps({"oslo.version": "2.0", "oslo.message": "{broken"}).encode(), "not JSON"),
    (json.dumps({"oslo.version": "2.0", "oslo.message": "[1]"}).encode(),
     "oslo.message is not a JSON object"),
    (json.dumps({"oslo.version": "2.0"}).encode(), "oslo.message is not a JSON string"),
    (json.dumps({"oslo.version": "3.0", "oslo.message": "{}"}).encode(),
     "unsupported envelope version '3.0'"),
    (json.dumps({"oslo.message": json.dumps(NOVA_LEGACY)}).encode(),
     "unsupported envelope version None"),
    (envelope({"payload": {}, "message_id": "m"}), "no event_type"),
    (envelope({**NOVA_LEGACY, "event_type": ""}), "no event_type"),
    (envelope({**NOVA_LEGACY, "event_type": 42}), "no event_type"),
    (json.dumps({"payload": {"a": "\ud800"}, "event_type": "x"}).encode(), "lone surrogate"),
]


@pytest.mark.parametrize("body, reason", BAD_BODIES)
def test_a_bad_body_raises_a_malformed_notification(body, reason):
    with pytest.raises(n.MalformedNotification, match="Malformed notification") as raised:
        n.unwrap(body)
    assert reason in str(raised.value)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("decoded, reason", [
    ({**NOVA_LEGACY, "payload": {"name": "\ud800"}}, "lone surrogate"),
    ({"oslo.version": "2.0", "oslo.message": json.dumps({**NOVA_LEGACY, "x": "\udfff"})},
     "lone surrogate"),
    ([], "not a JSON object"),
    (None, "not a JSON object"),
])
def test_a_bad_body_kombu_decoded_is_malformed_too(decoded, reason):
    with pytest.raises(n.MalformedNotification, match=reason):
        n.unwrap(decoded)


def test_an_envelope_of_a_later_minor_version_is_accepted():
    body = json.dumps({"oslo.version": "2.1", "oslo.message": json.dumps(NOVA_LEGACY)})
    assert n.unwrap(body)["event_type"] == "compute.instance.create.end"


def test_a_message_without_message_id_gets_a_stable_content_id():
    message = {k: v for k, v in CINDER_VOLUME_CREATE.items() if k != "message_id"}
    first = n.unwrap(envelope(message))["message_id"]
    assert first.startswith("sha256:") and len(first) == 7 + 64
    reordered = dict(reversed(list(message.items())))
    assert n.unwrap(json.dumps(reordered))["message_id"] == first     # a redelivered copy
    changed = {**message, "timestamp": "2026-12-06 21:32:10.500001"}
    assert n.unwrap(envelope(changed))["message_id"] != first


# --- the project ----------------------------------------------------------------------------

def payload_only(payload):
    return {"event_type": "x.y", "message_id": "m", "payload": payload}


@pytest.mark.parametrize("message, project", [
    ({**payload_only({"tenant_id": OTHER}), "_context_project_id": PROJECT}, PROJECT),
    ({**payload_only({"tenant_id": OTHER}), "_context_project_id": None}, OTHER),
    ({**payload_only({"tenant_id": OTHER}), "_context_project_id": ""}, OTHER),
    ({**payload_only({}), "_context_tenant": OTHER}, OTHER),
    (payload_only({"tenant_id": PROJECT, "project_id": OTHER, "owner": OTHER}), PROJECT),
    (payload_only({"project_id": PROJECT, "owner": OTHER}), PROJECT),
    (payload_only({"owner": PROJECT}), PROJECT),
    (payload_only({"tenant_id": None, "owner": PROJECT}), PROJECT),
    (payload_only({"owner": 7}), None),
    (payload_only({"port": {"tenant_id": PROJECT}}), None),
    (payload_only("a string payload"), None),
    (payload_only(None), None),
    ({k: v for k, v in NOVA_VERSIONED.items() if k != "_context_project_id"}, PROJECT),
    ({**NOVA_VERSIONED, "_context_project_id": OTHER}, OTHER),
])
def test_the_project_of_a_notification(message, project):
    assert n.unwrap(envelope(message))["project"] == project


# --- matching -------------------------------------------------------------------------------

def trigger(event_type="compute.instance.create.*", project_id=PROJECT, all_projects=False,
            filters=None):
    return {"id": TRIGGER_ID, "event_type": event_type, "project_id": project_id,
            "all_projects": all_projects, "filters": filters or {}}


NOVA = n.unwrap(envelope(NOVA_LEGACY))
VERSIONED = n.unwrap(envelope(NOVA_VERSIONED))
GLANCE = n.unwrap(envelope(GLANCE_IMAGE_CREATE))
NEUTRON = n.unwrap(envelope(NEUTRON_PORT_CREATE))
ORPHAN = n.unwrap(envelope(payload_only({"size": 1})))   # no project at all


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
    assert n.matches(rule, notification) is expected


def test_the_execution_input_and_description():
    assert n.execution_input(NOVA) == {
        "event_type": "compute.instance.create.end",
        "publisher_id": "compute.compute-1",
        "timestamp": "2026-12-06 21:30:01.123456",
        "payload": NOVA_LEGACY["payload"],
        "message_id": "c3b7b5a4-9c1e-4d8f-a2b3-4c5d6e7f8091",
    }
    assert n.execution_input(VERSIONED)["payload"]["flavor"]["name"] == "m1.small"
    assert json.loads(json.dumps(n.execution_input(GLANCE))) == n.execution_input(GLANCE)
    assert TRIGGER_ID in n.execution_description(TRIGGER_ID)


# --- the idempotency key --------------------------------------------------------------------

def test_the_idempotency_key_names_the_trigger_and_the_message():
    key = n.idempotency_key(TRIGGER_ID, NOVA["message_id"])
    assert key == f"event-trigger:{TRIGGER_ID}:{NOVA['message_id']}"
    assert n.idempotency_key(TRIGGER_ID, NOVA["message_id"]) == key
    assert n.idempotency_key(TRIGGER_ID, GLANCE["message_id"]) != key
    assert n.idempotency_key("another-trigger", NOVA["message_id"]) != key


@pytest.mark.parametrize("message_id", [
    "m" * 300, "évènement-1", "line\nbreak", "tab\there", "\x00",
])
def test_a_message_id_that_does_not_fit_is_hashed(message_id):
    key = n.idempotency_key(TRIGGER_ID, message_id)
    assert key.startswith(f"event-trigger:{TRIGGER_ID}:sha256:")
    assert len(key) <= 255 and key.isascii() and key.isprintable()
    assert n.idempotency_key(TRIGGER_ID, message_id) == key
    assert n.idempotency_key(TRIGGER_ID, message_id + "x") != key


def test_the_key_of_a_content_id_fits_as_is():
    message_id = n.unwrap(payload_only({}))["message_id"]
    assert n.idempotency_key(TRIGGER_ID, message_id) == f"event-trigger:{TRIGGER_ID}:{message_id}"


def test_the_keys_keep_the_execution_service_rules():
    from qinling_execution.requests_rules import idempotency_key as execution_rule
    for message_id in ("c3b7b5a4-9c1e-4d8f-a2b3-4c5d6e7f8091", "m" * 300, "évènement"):
        key = n.idempotency_key(TRIGGER_ID, message_id)
        assert execution_rule(key) == key


# --- bindings -------------------------------------------------------------------------------

def test_the_bindings_follow_oslo_messaging_declarations():
    bindings = n.queue_bindings(["nova", "openstack"], ["notifications", "versioned_notifications"])
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
    assert all(b["durable"] for b in n.queue_bindings(["nova"], ["notifications"], durable=True))


def test_the_bindings_of_several_triggers_appear_once():
    defaults = n.new_event_trigger({"function_id": "f", "event_type": "*"})
    cinder = {"exchanges": ["cinder", "openstack"], "topics": ["notifications"]}
    bindings = n.all_bindings([defaults, cinder, defaults])
    pairs = [(b["exchange"], b["routing_key"]) for b in bindings]
    assert pairs == sorted({(e, "notifications.*") for e in n.DEFAULT_EXCHANGES})
    assert n.all_bindings([]) == []


# --- validation -----------------------------------------------------------------------------

def test_a_new_trigger_gets_the_defaults():
    clean = n.new_event_trigger({"function_id": "f1", "event_type": "compute.instance.create.*"})
    assert clean == {
        "name": None, "description": None, "function_id": "f1", "function_version": 0,
        "function_alias": None, "event_type": "compute.instance.create.*",
        "exchanges": ["nova", "cinder", "glance", "neutron", "openstack"],
        "topics": ["notifications"], "filters": {}, "all_projects": False,
    }
    configured = n.new_event_trigger({"function_id": "f1", "event_type": "*"},
                                     default_exchanges=("cinder",))
    assert configured["exchanges"] == ["cinder"]


def test_a_full_trigger_keeps_its_values():
    values = {"name": "on-boot", "description": "d", "function_alias": "prod",
              "event_type": "instance.create.end", "exchanges": ["nova", "nova"],
              "topics": ["versioned_notifications", "notifications"],
              "filters": {"state": "active", "flavor.vcpus": 1, "locked": False, "x": None},
              "all_projects": True}
    clean = n.new_event_trigger(values)
    assert clean["function_alias"] == "prod"
    assert clean["function_id"] is None and clean["function_version"] is None
    assert clean["exchanges"] == ["nova"]
    assert clean["topics"] == ["versioned_notifications", "notifications"]
    assert clean["filters"] == values["filters"] and clean["filters"] is not values["filters"]
    assert clean["all_projects"] is True


BASE = {"function_id": "f1", "event_type": "compute.instance.create.*"}


@pytest.mark.parametrize("values, message", [
    ({"function_id": "f1"}, "Required param is missing. Required: {'event_type'}"),
    ({**BASE, "event_type": ""}, "Required param is missing. Required: {'event_type'}"),
    ({"event_type": "*"}, "Either function_alias or function_id must be provided."),
    ({**BASE, "function_alias": "a"},
     "Only one of function_alias and function_id may be provided."),
    ({"function_alias": "a", "function_version": 2, "event_type": "*"},
     "function_version can not be given with function_alias."),
    ({**BASE, "function_version": -1},
     "Invalid function_version: a non-negative integer is required."),
    ({**BASE, "function_version": "1"},
     "Invalid function_version: a non-negative integer is required."),
    ({**BASE, "function_version": True},
     "Invalid function_version: a non-negative integer is required."),
    ({**BASE, "function_id": "f" * 37}, "Invalid function_id: at most 36 characters."),
    ({**BASE, "name": 5}, "Invalid name: a string is required."),
    ({**BASE, "description": "d" * 256}, "Invalid description: at most 255 characters."),
    ({**BASE, "event_type": 5}, "Invalid event_type: a string is required."),
    ({**BASE, "event_type": "compute instance"}, "Invalid event_type 'compute instance'"),
    ({**BASE, "event_type": "é.*"}, "Invalid event_type"),
    ({**BASE, "event_type": "a" * 256}, "Invalid event_type"),
    ({**BASE, "exchanges": "nova"}, "Invalid exchanges: a non-empty list of names"),
    ({**BASE, "exchanges": []}, "Invalid exchanges: a non-empty list of names"),
    ({**BASE, "exchanges": ["nova", ""]}, "Invalid exchanges: '' is not a name"),
    ({**BASE, "exchanges": ["no va"]}, "Invalid exchanges: 'no va' is not a name"),
    ({**BASE, "exchanges": ["amq.topic"]}, "Invalid exchanges: 'amq.topic' is not a name"),
    ({**BASE, "exchanges": [1]}, "Invalid exchanges: 1 is not a name"),
    ({**BASE, "exchanges": [f"e{i}" for i in range(17)]}, "Invalid exchanges: at most 16"),
    ({**BASE, "topics": ["notifications.*"]}, "Invalid topics: 'notifications.*' is not"),
    ({**BASE, "topics": ["#"]}, "Invalid topics: '#' is not"),
    ({**BASE, "topics": {}}, "Invalid topics: a non-empty list"),
    ({**BASE, "filters": ["state"]}, "Invalid filters: an object of dotted payload paths"),
    ({**BASE, "filters": "state=active"}, "Invalid filters: an object"),
    ({**BASE, "filters": {"": "x"}}, "Invalid filters: '' is not a dotted payload path"),
    ({**BASE, "filters": {"a..b": "x"}}, "Invalid filters: 'a..b' is not a dotted payload path"),
    ({**BASE, "filters": {".a": "x"}}, "Invalid filters: '.a' is not a dotted payload path"),
    ({**BASE, "filters": {"a.": "x"}}, "Invalid filters: 'a.' is not a dotted payload path"),
    ({**BASE, "filters": {"a": {"b": 1}}},
     "Invalid filters: the value of 'a' must be a string, number"),
    ({**BASE, "filters": {"a": [1]}},
     "Invalid filters: the value of 'a' must be a string, number"),
    ({**BASE, "filters": {"a": float("nan")}}, "Invalid filters: the value of 'a' must be"),
    ({**BASE, "filters": {f"k{i}": 1 for i in range(33)}}, "Invalid filters: at most 32"),
    ({**BASE, "all_projects": "yes"}, "Invalid all_projects: true or false is required."),
    ({**BASE, "all_projects": 1}, "Invalid all_projects: true or false is required."),
])
def test_an_invalid_trigger_is_refused(values, message):
    with pytest.raises(InvalidInput) as raised:
        n.new_event_trigger(values)
    assert raised.value.http_status == 400
    assert raised.value.message.startswith(message)


@pytest.mark.parametrize("values, changes", [
    ({"name": "n"}, {"name": "n"}),
    ({"description": None}, {"description": None}),
    ({"function_alias": "prod"},
     {"function_alias": "prod", "function_id": None, "function_version": None}),
    ({"function_id": "f2"}, {"function_id": "f2", "function_version": 0, "function_alias": None}),
    ({"function_id": "f2", "function_version": 3},
     {"function_id": "f2", "function_version": 3, "function_alias": None}),
    ({"function_version": 2}, {"function_version": 2}),
    ({"exchanges": None, "topics": ["versioned_notifications"]},
     {"exchanges": list(n.DEFAULT_EXCHANGES), "topics": ["versioned_notifications"]}),
    ({"filters": None, "all_projects": None}, {"filters": {}, "all_projects": False}),
    ({"event_type": "volume.*", "id": "ignored"}, {"event_type": "volume.*"}),
])
def test_the_changes_of_an_update(values, changes):
    assert n.event_trigger_changes(values) == changes


@pytest.mark.parametrize("values, message", [
    ({}, "Nothing to update"),
    ({"project_id": "p"}, "Nothing to update"),
    ({"event_type": None}, "Invalid event_type: it must not be empty."),
    ({"function_id": None}, "Either function_alias or function_id must be provided."),
    ({"function_version": -2}, "Invalid function_version"),
    ({"filters": {"a": {}}}, "Invalid filters"),
    ({"exchanges": []}, "Invalid exchanges"),
])
def test_an_invalid_update_is_refused(values, message):
    with pytest.raises(InvalidInput, match="^" + message.replace("(", r"\(")):
        n.event_trigger_changes(values)
