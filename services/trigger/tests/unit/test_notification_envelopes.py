"""Unwrapping OpenStack notifications and finding their project."""
import copy
import json

import pytest

from qinling_trigger import notification_envelopes as envelopes

from qinling_testing.notification_samples import payload_only, CINDER_VOLUME_CREATE, GLANCE_IMAGE_CREATE, NEUTRON_PORT_CREATE, NOVA_LEGACY, NOVA_VERSIONED, OTHER, PROJECT, envelope


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
    notification = envelopes.unwrap(envelope(message))
    assert notification["event_type"] == event_type
    assert notification["publisher_id"] == publisher_id
    assert notification["timestamp"] == message["timestamp"]
    assert notification["message_id"] == message["message_id"]
    assert notification["priority"] == "INFO"
    assert notification["project"] == project
    assert payload_check(notification["payload"])


@pytest.mark.parametrize("message", [NOVA_LEGACY, NOVA_VERSIONED, GLANCE_IMAGE_CREATE])
def test_a_v1_bare_message_and_every_body_form_unwrap_alike(message):
    v2 = envelopes.unwrap(envelope(message))
    assert envelopes.unwrap(json.dumps(message).encode()) == v2          # v1, bytes
    assert envelopes.unwrap(json.dumps(message)) == v2                   # v1, text
    assert envelopes.unwrap(copy.deepcopy(message)) == v2                # v1, decoded by kombu
    assert envelopes.unwrap(json.loads(envelope(message))) == v2         # v2, decoded by kombu


def test_unwrapping_leaves_the_message_untouched():
    message = copy.deepcopy(NOVA_VERSIONED)
    envelopes.unwrap(message)
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
    with pytest.raises(envelopes.MalformedNotification, match="Malformed notification") as raised:
        envelopes.unwrap(body)
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
    with pytest.raises(envelopes.MalformedNotification, match=reason):
        envelopes.unwrap(decoded)


def test_an_envelope_of_a_later_minor_version_is_accepted():
    body = json.dumps({"oslo.version": "2.1", "oslo.message": json.dumps(NOVA_LEGACY)})
    assert envelopes.unwrap(body)["event_type"] == "compute.instance.create.end"


def test_a_message_without_message_id_gets_a_stable_content_id():
    message = {k: v for k, v in CINDER_VOLUME_CREATE.items() if k != "message_id"}
    first = envelopes.unwrap(envelope(message))["message_id"]
    assert first.startswith("sha256:") and len(first) == 7 + 64
    reordered = dict(reversed(list(message.items())))
    assert envelopes.unwrap(json.dumps(reordered))["message_id"] == first     # a redelivered copy
    changed = {**message, "timestamp": "2026-12-06 21:32:10.500001"}
    assert envelopes.unwrap(envelope(changed))["message_id"] != first


# --- the project ----------------------------------------------------------------------------

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
    assert envelopes.unwrap(envelope(message))["project"] == project
