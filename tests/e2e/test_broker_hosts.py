"""A ``transport_url`` listing several RabbitMQ hosts, as Kolla writes it for a cluster:
every service, the gateway included, connects through the next host when the first one is
dead, and the platform runs executions, queued ones and those of notifications too."""
import socket
import time

from qinling_testing import notifier
from qinling_testing.api_client import ApiClient
from qinling_testing.platform import Platform, START_TIMEOUT

DEADLINE = 30.0


def dead_port():
    """A local port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_platform_connects_through_the_second_host_when_the_first_is_dead():
    platform = Platform()
    url = platform.rabbit.transport_url            # rabbit://u:p@host:port/vhost
    credentials, _, rest = url[len("rabbit://"):].partition("@")
    platform.conf_overrides = {"DEFAULT": {
        "transport_url": f"rabbit://{credentials}@127.0.0.1:{dead_port()},{credentials}@{rest}"}}
    with platform, ApiClient(platform.url) as api:
        platform.wait_healthy(START_TIMEOUT)
        runtime = api.create_runtime().json()
        api.wait_for_status(f"/v1/runtimes/{runtime['id']}", {"available"})
        function = api.create_function(runtime["id"]).json()
        execution = api.execute(function["id"], {"name": "the second host"}).json()
        assert execution["status"] == "success", execution
        accepted = api.execute(function["id"], {"name": "queued"}, sync=False)
        assert accepted.status_code == 201, accepted.text
        done = api.wait_for_status(f"/v1/executions/{accepted.json()['id']}", {"success"})
        assert "queued" in done["result"]
        trigger = api.post("/v1/event_triggers", json={
            "function_id": function["id"], "event_type": "compute.instance.create.end",
            "exchanges": ["nova"]})
        assert trigger.status_code == 201, trigger.text
        notifier.publish(url, "nova", "compute.instance.create.end", {"name": "notified"},
                         {"project_id": function["project_id"]})
        deadline = time.monotonic() + DEADLINE
        while not notified(api, function["id"]):
            assert time.monotonic() < deadline, "the notification ran nothing"
            time.sleep(0.1)
        assert len(notified(api, function["id"])) == 1


def notified(api, function_id):
    executions = api.get("/v1/executions", params={"function_id": function_id}).json()
    return [e for e in executions["executions"]
            if e["status"] == "success" and "notified" in (e["input"] or "")]
