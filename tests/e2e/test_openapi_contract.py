"""Every response of a walk through the whole API matches the OpenAPI document the gateway
serves: statuses, media types and JSON bodies (the checks schemathesis makes, on the
requests a client really sends)."""
import json

import pytest

from qinling_testing import contract

FUNCTION = "/v1/functions/{id}"
VERSION = FUNCTION + "/versions/{version}"


class Checked:
    """Sends requests with ``api`` and checks each response against the document."""

    def __init__(self, api):
        self.api = api
        self.document = api.get("/v1/openapi.json").json()
        self.seen = set()

    def __call__(self, method, url, template, expected, **kwargs):
        response = self.api.request(method, url, **kwargs)
        assert response.status_code == expected, response.text
        media_type = response.headers.get("Content-Type", "").split(";")[0] or None
        body = response.json() if media_type == "application/json" else None
        assert contract.problems(self.document, method, template, response.status_code,
                                 media_type, body) == []
        self.seen.add((method, template))
        return body


@pytest.fixture
def check(api):
    return Checked(api)


def test_discovery_and_faults(check):
    check("GET", "/", "/", 200)
    check("GET", "/v1", "/v1", 200)
    check("GET", "/v1/", "/v1/", 200)
    check("GET", "/healthz", "/healthz", 200)
    check("GET", "/v1/api-ref", "/v1/api-ref", 200)
    check("GET", "/v1/runtimes/nope", "/v1/runtimes/{id}", 404)
    check("GET", "/v1/runtimes?limit=ten", "/v1/runtimes", 400)
    check("POST", "/v1/executions", "/v1/executions", 400, data=b"[1",
          headers={"Content-Type": "application/json"})
    check("POST", "/v1/executions", "/v1/executions", 404, json={"function_id": "nope"})
    check("DELETE", "/v1/aliases/nope", "/v1/aliases/{name}", 404)


def test_runtimes_functions_and_versions(check, api, runtime_id, docker_engine):
    runtime = f"/v1/runtimes/{runtime_id}"
    check("GET", "/v1/runtimes", "/v1/runtimes", 200)
    check("GET", runtime, "/v1/runtimes/{id}", 200)
    check("GET", runtime + "/pool", "/v1/runtimes/{id}/pool", 200)
    check("PUT", runtime, "/v1/runtimes/{id}", 200, json={"description": "contract"})
    created = api.create_function(runtime_id, name="contract")
    assert created.status_code == 201, created.text
    function_id = created.json()["id"]
    url = f"/v1/functions/{function_id}"
    check("GET", "/v1/functions", "/v1/functions", 200)
    check("GET", url, FUNCTION, 200)
    check("GET", url + "?download=true", FUNCTION, 200)
    check("PUT", url, FUNCTION, 200, data={"timeout": "7", "description": "d"})
    check("PUT", url, FUNCTION, 200, json={"max_retries": 1, "name": None})
    check("POST", url + "/versions", FUNCTION + "/versions", 201, json={"description": "v1"})
    check("POST", url + "/versions", FUNCTION + "/versions", 403)  # package not changed
    check("GET", url + "/versions", FUNCTION + "/versions", 200)
    check("GET", url + "/versions/1", VERSION, 200)
    check("GET", url + "/versions/1?download=1", VERSION, 200)
    check("GET", url + "/versions/9", VERSION, 404)
    image = api.post("/v1/functions", data={"code": json.dumps(
        {"source": "image", "image": "alpine", "extra": [1]})})
    assert image.status_code == 201, image.text
    check("GET", f"/v1/functions/{image.json()['id']}?download=true", FUNCTION, 405)
    check("DELETE", f"/v1/functions/{image.json()['id']}", FUNCTION, 204)
    check("DELETE", url + "/versions/1", VERSION, 204)
    check("DELETE", url, FUNCTION, 204)


def test_aliases_executions_and_workers(check, hello_function_id):
    url = f"/v1/functions/{hello_function_id}"
    alias = {"name": f"contract-{hello_function_id[:8]}", "function_id": hello_function_id}
    check("POST", "/v1/aliases", "/v1/aliases", 201, json=alias)
    check("POST", "/v1/aliases", "/v1/aliases", 409, json=alias)
    check("GET", "/v1/aliases", "/v1/aliases", 200)
    by_name = f"/v1/aliases/{alias['name']}"
    check("GET", by_name, "/v1/aliases/{name}", 200)
    check("PUT", by_name, "/v1/aliases/{name}", 200, json={"description": "d"})
    done = check("POST", "/v1/executions", "/v1/executions", 201,
                 json={"function_alias": alias["name"], "input": '{"name": "C"}'})
    assert json.loads(done["result"])["output"] == "Hello, C"
    queued = check("POST", "/v1/executions", "/v1/executions", 201,
                   json={"function_id": hello_function_id, "sync": False, "input": "x"})
    check("GET", "/v1/executions?status=neq:failed", "/v1/executions", 200)
    check("GET", f"/v1/executions/{done['id']}", "/v1/executions/{id}", 200)
    check("GET", f"/v1/executions/{done['id']}/log", "/v1/executions/{id}/log", 200)
    check("POST", f"/v1/executions/{done['id']}/cancel", "/v1/executions/{id}/cancel", 409)
    check("GET", f"/v1/executions/{queued['id']}", "/v1/executions/{id}", 200)
    check("GET", url + "/workers", FUNCTION + "/workers", 200)
    check("GET", url + "/workers/?function_version=0", FUNCTION + "/workers/", 200)
    check("POST", url + "/scale_up", FUNCTION + "/scale_up", 202, json={"count": "1"})
    check("POST", url + "/scale_down", FUNCTION + "/scale_down", 202, json={"count": 1})
    check("POST", url + "/scale_up", FUNCTION + "/scale_up", 400, json={"count": True})
    check("POST", url + "/detach", FUNCTION + "/detach", 202)
    check("DELETE", by_name, "/v1/aliases/{name}", 204)
    check("DELETE", f"/v1/executions/{done['id']}", "/v1/executions/{id}", 204)

