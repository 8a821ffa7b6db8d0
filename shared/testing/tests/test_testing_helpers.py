"""The test helpers start real servers: prove they do, and clean up after themselves."""
import base64
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from qinling_shared.config import amqp_uri
from qinling_testing import health, ports
from qinling_testing.api_client import ApiClient
from qinling_testing.etcd import EtcdServer
from qinling_testing.rabbit import RabbitVhost


def b64(text):
    return base64.b64encode(text.encode()).decode()


def port_open(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_etcd_server_answers_and_cleans_up():
    with EtcdServer() as etcd:
        assert requests.get(etcd.url + "/health", timeout=2).json()["health"] == "true"
        put = requests.post(etcd.url + "/v3/kv/put", timeout=2,
                            json={"key": b64("/qinling/k"), "value": b64("v")})
        assert put.status_code == 200
        got = requests.post(etcd.url + "/v3/kv/range", json={"key": b64("/qinling/k")},
                            timeout=2).json()
        assert base64.b64decode(got["kvs"][0]["value"]) == b"v"
        data_dir, port = etcd.dir, etcd.port
    assert not port_open(port)
    assert not data_dir.exists()


def test_two_etcd_servers_do_not_share_ports():
    with EtcdServer() as first, EtcdServer() as second:
        assert {first.port, first.peer_port}.isdisjoint({second.port, second.peer_port})


def test_free_ports_are_distinct_and_bindable():
    chosen = ports.free_ports(3)
    assert len(set(chosen)) == 3
    for port in chosen:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def vhost_status(vhost):
    return requests.get(f"{vhost.management_url}/api/vhosts/{vhost.name}",
                        auth=vhost.auth, timeout=5).status_code


def test_rabbit_vhost_is_created_usable_and_deleted():
    with RabbitVhost() as vhost:
        assert vhost_status(vhost) == 200
        assert amqp_uri(vhost.transport_url).endswith(f"@127.0.0.1:5672/{vhost.name}")
        permissions = requests.get(
            f"{vhost.management_url}/api/permissions/{vhost.name}/guest",
            auth=vhost.auth, timeout=5).json()
        assert permissions["configure"] == ".*"
    assert vhost_status(vhost) == 404
    vhost.delete()  # idempotent


@pytest.mark.parametrize("body, down", [
    ({"status": "ok", "checks": {"etcd": "ok", "rabbitmq": "ok"}}, []),
    ({"status": "unavailable", "checks": {"etcd": "down", "function": {"status": "ok"},
                                          "storage": {"status": "timeout"}}}, ["etcd", "storage"]),
    ({"status": "degraded", "etcd": True, "execution": False}, ["execution"]),
    ("Service Unavailable", []),
])
def test_down_components(body, down):
    assert health.down_components(body) == down


class Healthz(BaseHTTPRequestHandler):
    answers = []

    def do_GET(self):
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def healthz_server():
    server = HTTPServer(("127.0.0.1", 0), Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_wait_reports_what_is_down_until_healthy(healthz_server):
    Healthz.answers = [(503, '{"checks": {"etcd": "down", "api": "ok"}}'),
                       (503, '{"checks": {"etcd": "ok", "trigger": "down"}}'),
                       (200, '{"status": "ok"}')]
    lines = []
    url = f"http://127.0.0.1:{healthz_server.server_port}"
    body = health.wait(url, timeout=10, interval=0.01, report=lines.append)
    assert body == {"status": "ok"}
    assert lines == ["HTTP 503, down: etcd", "HTTP 503, down: trigger"]


def test_wait_times_out_with_the_last_state(healthz_server):
    Healthz.answers = [(503, '{"checks": {"function": "down"}}')]
    url = f"http://127.0.0.1:{healthz_server.server_port}"
    with pytest.raises(TimeoutError, match="down: function"):
        health.wait(url, timeout=0.2, interval=0.01)


def test_wait_healthy_command_exit_codes(healthz_server):
    Healthz.answers = [(200, '{"status": "ok"}')]
    assert health.main([f"http://127.0.0.1:{healthz_server.server_port}", "5"]) == 0
    assert health.main([f"http://127.0.0.1:{ports.free_port()}", "0.1"]) == 1
    assert health.main([]) == 2


def test_an_api_client_is_closed_at_the_end_of_its_block(healthz_server, monkeypatch):
    Healthz.answers = [(200, '{"status": "ok"}')]
    closed = []
    with ApiClient(f"http://127.0.0.1:{healthz_server.server_port}") as api:
        monkeypatch.setattr(api.session, "close", lambda: closed.append(True))
        assert api.get("/healthz").json() == {"status": "ok"}
        assert closed == []
    assert closed == [True]
