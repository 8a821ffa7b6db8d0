"""The OpenAPI document: valid, one operation per route, served, and true to what the
gateway sends (Qinling's quirks included)."""
import json
import re

import aiohttp

import pytest
from openapi_spec_validator import validate

from qinling_api.openapi import document
from qinling_api.openapi.operations import UP_FRONT
from qinling_shared.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from qinling_testing import contract

NOW = "2024-05-01T10:00:00Z"
RUNTIME = {"id": "r1", "name": None, "description": None, "image": "python3",
           "status": "available", "is_public": True, "trusted": True, "project_id": "default",
           "created_at": NOW, "updated_at": None}
FUNCTION = {"id": "f1", "name": "hello", "description": None, "cpu": 100,
            "memory_size": 33554432, "timeout": 5, "runtime_id": "r1",
            "code": {"source": "package", "md5sum": "0" * 32}, "entry": "main.main",
            "count": 0, "latest_version": 0, "max_retries": None, "project_id": "default",
            "created_at": NOW, "updated_at": NOW}
IMAGE_FUNCTION = {**FUNCTION, "runtime_id": None, "entry": None,
                  "code": {"source": "image", "image": "alpine", "note": [1]}}
VERSION = {"id": "v1", "description": None, "function_id": "f1", "version_number": 1,
           "count": 2, "project_id": "default", "created_at": NOW, "updated_at": None}
ALIAS = {"id": "a1", "name": "prod", "description": None, "function_id": "f1",
         "function_version": 1, "project_id": "default", "created_at": NOW,
         "updated_at": None}
EXECUTION = {"id": "e1", "function_id": "f1", "function_version": 0, "function_alias": None,
             "description": None, "status": "success", "sync": True, "input": None,
             "result": {"output": {"a": [1]}, "duration": 0.1}, "project_id": "default",
             "created_at": NOW, "updated_at": NOW}
EVENT_TRIGGER = {"id": "t1", "name": None, "description": None, "function_id": None,
                 "function_version": None, "function_alias": "prod", "event_type": "image.*",
                 "exchanges": ["glance"], "topics": ["notifications"],
                 "filters": {"a.b": "x", "n": 1, "f": 1.5, "t": True, "z": None},
                 "all_projects": False, "project_id": "default", "created_at": NOW,
                 "updated_at": None}


@pytest.fixture(scope="module")
def spec():
    return document.build()


def test_the_document_is_valid_openapi_3_1(spec):
    validate(spec)
    assert spec["openapi"] == "3.1.0"


def test_every_route_is_an_operation_and_every_operation_a_route(client, spec):
    routes = {(route.method, route.resource.canonical) for route in client.app.router.routes()
              if route.method != "HEAD"}
    operations = {(method.upper(), path) for path, item in spec["paths"].items()
                  for method in item}
    assert routes == operations


def test_operation_ids_are_unique_and_every_operation_answers_its_faults(spec):
    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    for item in spec["paths"].values():
        for operation in item.values():
            assert {str(s) for s in UP_FRONT} <= set(operation["responses"])


def test_fields_a_service_requires_are_documented_required_and_not_nullable(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["RuntimeCreate"]["required"] == ["image"]
    assert schemas["RuntimeCreate"]["properties"]["image"]["type"] == "string"
    assert schemas["AliasCreate"]["required"] == ["name", "function_id"]
    for name in ("FunctionCreate", "FunctionCreateMultipart", "FunctionCreateForm"):
        assert schemas[name]["required"] == ["code"]
    assert schemas["Scale"]["required"] == ["count"]
    assert schemas["EventTriggerCreate"]["required"] == ["event_type"]
    assert schemas["EventTriggerCreate"]["properties"]["event_type"]["type"] == "string"
    assert "null" not in json.dumps(schemas["FunctionCreate"]["properties"]["code"])
    assert schemas["FunctionCreateMultipart"]["properties"]["package"]["format"] == "binary"


def test_the_idempotency_key_header_is_documented_where_the_gateway_reads_it(spec):
    headers = {(method.upper(), path): parameter for path, item in spec["paths"].items()
               for method, operation in item.items()
               for parameter in operation.get("parameters", []) if parameter["in"] == "header"}
    assert set(headers) == {("POST", "/v1/executions"), ("POST", "/v1/webhooks/{id}/invoke")}
    for parameter in headers.values():
        assert (parameter["name"], parameter["required"]) == ("Idempotency-Key", False)
        assert "returns the first execution" in parameter["description"]


@pytest.mark.parametrize("key", ["", "order-42", "k" * 255, "k" * 256, " a~b ", "é", "a\tb",
                                 "a\x7fb"])
def test_the_documented_idempotency_key_is_the_execution_services_rule(spec, key):
    from qinling_execution.requests_rules import idempotency_key
    schema = spec["paths"]["/v1/executions"]["post"]["parameters"][0]["schema"]
    documented = len(key) <= schema["maxLength"] and re.search(schema["pattern"], key)
    try:
        accepted = idempotency_key(key) == (key or None)
    except InvalidInput:
        accepted = False
    assert bool(documented) == accepted


async def test_the_document_is_served_without_a_service(client, rpc, spec):
    response = await client.get("/v1/openapi.json")
    assert response.status == 200
    assert await response.json() == spec
    assert rpc.calls == []


async def test_the_reference_page_shows_every_operation_and_loads_nothing(client, spec):
    response = await client.get("/v1/api-ref")
    assert response.status == 200 and response.content_type == "text/html"
    page = await response.text()
    for path, item in spec["paths"].items():
        for operation in item.values():
            assert f'id="{operation["operationId"]}"' in page
            assert f"<code>{path}</code>" in page
    assert "<script" not in page and "src=" not in page and "@import" not in page
    assert 'id="schema-Execution"' in page and "No other field." in page
    assert "<code>Idempotency-Key</code></td><td>header</td>" in page


EXCHANGES = [  # (method, url, path template, service method, answer, request kwargs)
    ("GET", "/v1/runtimes", "/v1/runtimes", "list_runtimes", [RUNTIME], {}),
    ("POST", "/v1/runtimes", "/v1/runtimes", "create_runtime", RUNTIME,
     {"json": {"image": "python3"}}),
    ("GET", "/v1/runtimes/r1/pool", "/v1/runtimes/{id}/pool", "get_runtime_pool",
     {"name": "r1", "capacity": {"total": 2, "available": 1}}, {}),
    ("GET", "/v1/functions", "/v1/functions", "list_functions", [FUNCTION, IMAGE_FUNCTION], {}),
    ("GET", "/v1/functions/f1", "/v1/functions/{id}", "get_function", IMAGE_FUNCTION, {}),
    ("PUT", "/v1/functions/f1", "/v1/functions/{id}", "update_function", FUNCTION,
     {"data": {"timeout": "7"}}),
    ("GET", "/v1/functions/f1/versions", "/v1/functions/{id}/versions", "list_versions",
     [VERSION], {}),
    ("POST", "/v1/functions/f1/versions", "/v1/functions/{id}/versions", "create_version",
     VERSION, {}),
    ("GET", "/v1/functions/f1/workers/", "/v1/functions/{id}/workers/", "list_workers",
     [{"function_id": "f1", "function_version": 0, "worker_name": "w"}], {}),
    ("POST", "/v1/functions/f1/versions/1/scale_up",
     "/v1/functions/{id}/versions/{version}/scale_up", "scale_up_function", ["w"],
     {"json": {"count": 1}}),
    ("GET", "/v1/aliases", "/v1/aliases", "list_aliases", [ALIAS], {}),
    ("PUT", "/v1/aliases/prod", "/v1/aliases/{name}", "update_alias", ALIAS,
     {"json": {"function_version": 1}}),
    ("POST", "/v1/executions", "/v1/executions", "create_execution", EXECUTION,
     {"json": {"function_id": "f1"}}),
    ("GET", "/v1/executions", "/v1/executions", "list_executions",
     [EXECUTION, {**EXECUTION, "status": "running", "sync": False, "input": "x", "result": {}}],
     {}),
    ("POST", "/v1/executions/e1/cancel", "/v1/executions/{id}/cancel", "cancel_execution",
     {**EXECUTION, "status": "cancelled"}, {}),
    ("GET", "/v1/executions/e1/log", "/v1/executions/{id}/log", "get_execution_log", "hi\n",
     {}),
    ("DELETE", "/v1/aliases/prod", "/v1/aliases/{name}", "delete_alias", None, {}),
    ("GET", "/v1/executions/e9", "/v1/executions/{id}", "get_execution",
     NotFound("Execution not found [id=e9]"), {}),
    ("POST", "/v1/executions/e1/cancel", "/v1/executions/{id}/cancel", "cancel_execution",
     Conflict("Execution e1 has already ended: success."), {}),
    ("POST", "/v1/event_triggers", "/v1/event_triggers", "create_event_trigger",
     EVENT_TRIGGER, {"json": {"function_alias": "prod", "event_type": "image.*"}}),
    ("GET", "/v1/event_triggers", "/v1/event_triggers", "list_event_triggers",
     [EVENT_TRIGGER, {**EVENT_TRIGGER, "function_id": "f1", "function_version": 0,
                      "function_alias": None, "filters": {}, "all_projects": True,
                      "name": "n", "updated_at": NOW}], {}),
    ("PUT", "/v1/event_triggers/t1", "/v1/event_triggers/{id}", "update_event_trigger",
     EVENT_TRIGGER, {"json": {"filters": None}}),
    ("DELETE", "/v1/event_triggers/t1", "/v1/event_triggers/{id}", "delete_event_trigger",
     None, {}),
    ("GET", "/v1/event_triggers/t9", "/v1/event_triggers/{id}", "get_event_trigger",
     NotFound("Event trigger not found [id=t9]"), {}),
    ("PUT", "/v1/event_triggers/t1", "/v1/event_triggers/{id}", "update_event_trigger",
     Forbidden("Operation not allowed."), {"json": {"all_projects": True}}),
    ("GET", "/", "/", None, None, {}),
    ("GET", "/v1", "/v1", None, None, {}),
    ("GET", "/healthz", "/healthz", None, None, {}),  # etcd unreachable: a 503 report
    ("POST", "/v1/executions", "/v1/executions", None, None, {"json": {"sync": "yes"}}),
    ("POST", "/v1/functions/f1/scale_down", "/v1/functions/{id}/scale_down", None, None, {}),
]


@pytest.mark.parametrize("method, url, path, rpc_method, answer, kwargs", EXCHANGES)
async def test_what_the_gateway_sends_matches_the_document(client, rpc, spec, method, url,
                                                           path, rpc_method, answer, kwargs):
    if rpc_method is not None:
        for service in ("function", "execution", "trigger"):  # the method's name is enough
            rpc.answer(service, rpc_method, answer)
    response = await client.request(method, url, **kwargs)
    assert response.status != 500
    body = await response.json() if response.content_type == "application/json" else None
    assert contract.problems(spec, method, path, response.status, response.content_type,
                             body) == []


def test_an_undocumented_field_or_status_is_a_problem(spec):
    extra = {**RUNTIME, "secret": 1}
    assert contract.problems(spec, "GET", "/v1/runtimes/{id}", 200, "application/json", extra)
    assert contract.problems(spec, "GET", "/v1/runtimes/{id}", 200, "application/json",
                             {**RUNTIME, "is_public": "yes"})
    assert contract.problems(spec, "GET", "/v1/functions", 200, "application/json",
                             {"functions": [FUNCTION]})  # a list's code is JSON text
    assert contract.problems(spec, "DELETE", "/v1/runtimes/{id}", 409, "application/json",
                             {"faultstring": "x"})
    assert contract.problems(spec, "GET", "/v1/event_triggers/{id}", 200, "application/json",
                             {**EVENT_TRIGGER, "filters": {"a": {"b": 1}}})
    assert contract.problems(spec, "GET", "/v1/event_triggers/{id}", 200, "application/json",
                             {**EVENT_TRIGGER, "exchanges": None})


def request_body_schemas(spec):
    for item in spec["paths"].values():
        for operation in item.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                ref = media["schema"].get("$ref")
                if ref:
                    yield ref.rsplit("/", 1)[1], spec["components"]["schemas"][ref.rsplit(
                        "/", 1)[1]]


def test_request_bodies_are_documented_open_as_the_gateway_skips_unknown_fields(spec):
    """Found by schemathesis: the function forms were documented closed, yet a form with a
    field no schema names is accepted (the gateway skips it, as it drops an unknown JSON
    field)."""
    bodies = dict(request_body_schemas(spec))
    assert {"FunctionCreateMultipart", "FunctionUpdateForm", "RuntimeCreate"} <= set(bodies)
    assert [name for name, schema in bodies.items()
            if schema.get("additionalProperties") is False] == []


async def test_an_unknown_form_field_is_skipped(client, rpc):
    rpc.answer("function", "create_function", {**FUNCTION, "code": {"source": "image"}})
    form = aiohttp.FormData()
    form.add_field("code", '{"source": "image", "image": "python3"}')
    form.add_field("", "null")
    form.add_field("surprise", "1")
    response = await client.post("/v1/functions", data=form)
    assert response.status == 201, await response.text()
    (call,) = rpc.calls_to("function", "create_function")
    assert call.args[0] == {"code": '{"source": "image", "image": "python3"}'}
