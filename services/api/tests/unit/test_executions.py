import json

import pytest

from qinling_shared.exceptions import Conflict, InvalidInput, NotFound

# As the execution service sends it: ``input`` is Qinling's string already, ``result`` a dict.
EXECUTION = {"id": "e1", "function_id": "f1", "function_version": 0, "status": "success",
             "sync": True, "input": '{"name": "Qinling"}',
             "result": {"output": "Hello, Qinling", "duration": 0.01}}


async def test_create_sync_execution(client, rpc, settings):
    rpc.answer("execution", "create_execution", EXECUTION)
    response = await client.post("/v1/executions", json={
        "function_id": "f1", "input": '{"name": "Qinling"}', "function_alias": None})
    assert response.status == 201
    body = await response.json()
    assert isinstance(body["result"], str)
    assert json.loads(body["result"]) == EXECUTION["result"]
    assert json.loads(body["input"]) == {"name": "Qinling"}
    (call,) = rpc.calls_to("execution", "create_execution")
    assert call.args == ({"function_id": "f1", "input": '{"name": "Qinling"}'},)
    assert call.timeout == settings.rpc_response_timeout + settings.max_timeout


async def test_async_execution_waits_only_the_rpc_timeout(client, rpc, settings):
    rpc.answer("execution", "create_execution",
               {**EXECUTION, "status": "running", "result": None, "input": None})
    response = await client.post("/v1/executions", json={"function_id": "f1", "sync": False})
    body = await response.json()
    assert body["result"] is None and body["input"] is None
    assert rpc.calls[0].timeout == settings.rpc_response_timeout


async def test_input_is_returned_as_the_service_renders_it(client, rpc):
    rpc.answer("execution", "get_execution", {**EXECUTION, "input": "Qinling"})  # positional
    body = await (await client.get("/v1/executions/e1")).json()
    assert body["input"] == "Qinling"


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b""])
async def test_malformed_json_is_a_400(client, rpc, raw):
    response = await client.post("/v1/executions", data=raw,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert await response.json() == {"faultstring": "Malformed JSON request body."}
    assert rpc.calls == []


@pytest.mark.parametrize("raw", [b"[]", b'"f1"', b"3"])
async def test_a_json_body_that_is_not_an_object_is_a_400(client, raw):
    response = await client.post("/v1/executions", data=raw,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "a JSON object is expected" in (await response.json())["faultstring"]


@pytest.mark.parametrize("field,value,expected", [
    ("function_id", 7, "a string"),
    ("function_version", "1", "an integer"),
    ("function_version", True, "an integer"),
    ("sync", "true", "a boolean"),
    ("input", [1, 2], "a string or a JSON object"),
    ("description", {"a": 1}, "a string"),
])
async def test_wrong_types_are_a_400(client, rpc, field, value, expected):
    body = {"function_id": "f1", field: value}
    response = await client.post("/v1/executions", json=body)
    assert response.status == 400
    assert await response.json() == {
        "faultstring": f"Invalid value of '{field}': {expected} is required."}
    assert rpc.calls == []


async def test_a_function_or_an_alias_is_the_services_rule(client, rpc):
    rpc.answer("execution", "create_execution",
               InvalidInput("Either function_alias or function_id must be provided."))
    response = await client.post("/v1/executions", json={"input": "x"})
    assert response.status == 400
    assert await response.json() == {
        "faultstring": "Either function_alias or function_id must be provided."}
    assert rpc.calls[0].args == ({"input": "x"},)


async def test_list_executions_passes_the_parsed_query(client, rpc):
    rpc.answer("execution", "list_executions", [EXECUTION])
    response = await client.get(
        "/v1/executions?function_id=f1&status=neq:failed&description=has:job"
        "&function_alias=prod&function_version=2&sync=true&limit=5&all_projects=1")
    body = await response.json()
    assert [json.loads(e["result"]) for e in body["executions"]] == [EXECUTION["result"]]
    (query,) = rpc.calls[0].args
    assert query["filters"] == [
        ["function_id", "eq", "f1"], ["status", "neq", "failed"], ["description", "has", "job"],
        ["function_alias", "eq", "prod"], ["function_version", "eq", "2"],
        ["sync", "eq", "true"]]
    assert query["limit"] == 5 and query["all_projects"] is True


async def test_list_executions_leaves_filter_names_to_the_service(client, rpc):
    message = "Invalid filter 'runtime_id'; known: description, function_alias."
    rpc.answer("execution", "list_executions", InvalidInput(message))
    response = await client.get("/v1/executions?runtime_id=r1")
    assert response.status == 400
    assert (await response.json())["faultstring"] == message
    (query,) = rpc.calls[0].args
    assert query["filters"] == [["runtime_id", "eq", "r1"]]


async def test_create_execution_by_alias_and_version(client, rpc):
    rpc.answer("execution", "create_execution", {**EXECUTION, "function_alias": "prod"})
    response = await client.post("/v1/executions", json={
        "function_alias": "prod", "function_id": None, "function_version": 0, "sync": True})
    assert response.status == 201
    assert (await response.json())["function_alias"] == "prod"
    assert rpc.calls[0].args == ({"function_alias": "prod", "function_version": 0,
                                  "sync": True},)


async def test_a_huge_function_version_is_a_400(client, rpc):
    response = await client.post("/v1/executions", json={
        "function_id": "f1", "function_version": 2 ** 70})
    assert response.status == 400
    assert await response.json() == {
        "faultstring": "Invalid value of 'function_version': the integer is out of range."}
    assert rpc.calls == []


async def test_unknown_execution_is_the_services_404(client, rpc):
    rpc.answer("execution", "get_execution", NotFound("Execution not found [id=nope]"))
    response = await client.get("/v1/executions/nope")
    assert response.status == 404
    assert await response.json() == {"faultstring": "Execution not found [id=nope]"}


async def test_delete_execution(client, rpc):
    response = await client.delete("/v1/executions/e1")
    assert response.status == 204
    assert rpc.calls[0].args == ("e1",)


async def test_execution_log_is_plain_text(client, rpc):
    rpc.answer("execution", "get_execution_log", "Start execution: e1\nHello\n")
    response = await client.get("/v1/executions/e1/log")
    assert response.status == 200
    assert response.content_type == "text/plain"
    assert await response.text() == "Start execution: e1\nHello\n"


async def test_the_idempotency_key_header_is_passed_on(client, rpc):
    rpc.answer("execution", "create_execution", EXECUTION)
    response = await client.post("/v1/executions", json={"function_id": "f1"},
                                 headers={"Idempotency-Key": "order-42"})
    assert response.status == 201
    assert rpc.calls[0].kwargs["idempotency_key"] == "order-42"


async def test_without_the_header_no_key_is_passed(client, rpc):
    rpc.answer("execution", "create_execution", EXECUTION)
    await client.post("/v1/executions", json={"function_id": "f1"})
    assert rpc.calls[0].kwargs["idempotency_key"] is None


async def test_each_request_has_a_request_key_of_its_own(client, rpc):
    rpc.answer("execution", "create_execution", EXECUTION)
    for _ in range(2):
        await client.post("/v1/executions", json={"function_id": "f1"},
                          headers={"Idempotency-Key": "order-42"})
    keys = [call.kwargs["request_key"] for call in rpc.calls]
    assert len(set(keys)) == 2 and all(len(key) == 36 for key in keys)


async def test_a_bad_idempotency_key_is_the_services_400(client, rpc):
    rpc.answer("execution", "create_execution",
               InvalidInput("Invalid Idempotency-Key: at most 255 printable ASCII characters "
                            "are allowed."))
    response = await client.post("/v1/executions", json={"function_id": "f1"},
                                 headers={"Idempotency-Key": "x" * 300})
    assert response.status == 400
    assert "Idempotency-Key" in (await response.json())["faultstring"]


async def test_cancel_is_202_with_the_cancelled_execution(client, rpc):
    cancelled = {**EXECUTION, "status": "cancelled",
                 "result": {"output": "Function execution cancelled.", "duration": 1.5}}
    rpc.answer("execution", "cancel_execution", cancelled)
    response = await client.post("/v1/executions/e1/cancel")
    assert response.status == 202
    body = await response.json()
    assert body["status"] == "cancelled"
    assert json.loads(body["result"])["output"] == "Function execution cancelled."
    assert rpc.calls[0].args == ("e1",)


async def test_cancelling_an_ended_execution_is_a_409(client, rpc):
    rpc.answer("execution", "cancel_execution",
               Conflict("Execution e1 has already ended: success."))
    response = await client.post("/v1/executions/e1/cancel")
    assert response.status == 409
    assert await response.json() == {"faultstring": "Execution e1 has already ended: success."}


async def test_cancelling_an_unknown_execution_is_a_404(client, rpc):
    rpc.answer("execution", "cancel_execution", NotFound("Execution not found [id=nope]"))
    response = await client.post("/v1/executions/nope/cancel")
    assert response.status == 404


async def test_cancel_takes_only_post(client, rpc):
    response = await client.get("/v1/executions/e1/cancel")
    assert response.status == 405
    assert rpc.calls == []
