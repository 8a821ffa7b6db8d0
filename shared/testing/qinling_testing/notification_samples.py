"""Notifications shaped as Nova, Glance, Cinder and Neutron publish them through
oslo.messaging (``messagingv2`` envelopes and v1 bare messages), for the rules' tests."""
import json

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


def payload_only(payload):
    """A bare message with no context: only its payload names a project."""
    return {"event_type": "x.y", "message_id": "m", "payload": payload}
