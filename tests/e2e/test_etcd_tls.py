"""The whole platform on an etcd that serves only https to clients with a certificate of its
CA, configured through [etcd] protocol, ca_cert, cert_file and cert_key: the gateway's health
check reaches it, and a function runs with its worker recorded there."""
import json

from qinling_testing.api_client import ApiClient
from qinling_testing.platform import healthy_platform


def test_a_function_runs_with_etcd_over_tls():
    with healthy_platform(etcd_tls=True) as platform, ApiClient(platform.url) as api:
        assert platform.etcd.url.startswith("https://")
        assert api.get("/healthz").json()["checks"]["etcd"] == {"status": "ok"}
        runtime = api.create_runtime().json()
        api.wait_for_status(f"/v1/runtimes/{runtime['id']}", {"available"})
        function_id = api.create_function(runtime["id"]).json()["id"]

        response = api.execute(function_id, {"name": "TLS"})
        assert response.status_code == 201, response.text
        assert json.loads(response.json()["result"])["output"] == "Hello, TLS"
        workers = platform.etcd.read_prefix(f"/qinling/workers/{function_id}/0/")
        assert len(workers) == 1 and json.loads(workers[0][1])["url"].startswith("http")
