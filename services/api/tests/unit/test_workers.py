import pytest

from qinling_shared.exceptions import InvalidInput, NotFound

WORKER = {"function_id": "f1", "function_version": 2, "worker_name": "f1-2-abc"}


@pytest.mark.parametrize("path", ["/v1/functions/f1/workers", "/v1/functions/f1/workers/"])
async def test_workers_listed_with_or_without_trailing_slash(client, rpc, path):
    rpc.answer("execution", "list_workers", [WORKER])
    response = await client.get(path, params={"function_version": "2"})
    assert response.status == 200
    assert await response.json() == {"workers": [WORKER]}
    assert rpc.calls[0].args == ("f1", "2")  # as text: the execution service checks it


async def test_version_defaults_to_zero(client, rpc):
    rpc.answer("execution", "list_workers", [])
    await client.get("/v1/functions/f1/workers")
    assert rpc.calls[0].args == ("f1", "0")


async def test_the_service_s_version_refusal_is_a_400(client, rpc):
    message = "Invalid function version 'x': a non-negative integer is required."
    rpc.answer("execution", "list_workers", InvalidInput(message))
    response = await client.get("/v1/functions/f1/workers", params={"function_version": "x"})
    assert response.status == 400
    assert (await response.json())["faultstring"] == message
    assert rpc.calls[0].args == ("f1", "x")


async def test_unknown_function_is_a_404(client, rpc):
    rpc.answer("execution", "list_workers", NotFound("Function not found [id=f1]"))
    response = await client.get("/v1/functions/f1/workers")
    assert response.status == 404
    assert await response.json() == {"faultstring": "Function not found [id=f1]"}


# -- admin scaling: scale_up, scale_down, detach, of the function or of one version ------------

SCALING = [("scale_up", "scale_up_function"), ("scale_down", "scale_down_function")]
TARGETS = [("/v1/functions/f1", "0"), ("/v1/functions/f1/versions/3", "3")]


@pytest.mark.parametrize("action, method", SCALING)
@pytest.mark.parametrize("target, version", TARGETS)
async def test_scaling_is_accepted(client, rpc, action, method, target, version):
    rpc.answer("execution", method, ["w1"])
    response = await client.post(f"{target}/{action}", json={"count": 2})
    assert response.status == 202
    assert await response.read() == b""
    (call,) = rpc.calls_to("execution", method)
    assert call.args == ("f1", version, 2)


@pytest.mark.parametrize("action, method", SCALING)
async def test_a_count_in_digits_is_accepted(client, rpc, action, method):
    response = await client.post(f"/v1/functions/f1/{action}", json={"count": "4"})
    assert response.status == 202
    assert rpc.calls_to("execution", method)[0].args == ("f1", "0", 4)


@pytest.mark.parametrize("action", ["scale_up", "scale_down"])
@pytest.mark.parametrize("body, message", [
    (b"", "Required param is missing. Required: {'count'}"),
    (b"{}", "Required param is missing. Required: {'count'}"),
    (b'{"count": "many"}', "Invalid value of 'count': an integer is required."),
    (b'{"count": true}', "Invalid value of 'count': an integer is required."),
    (b"[1]", "Malformed JSON request body: a JSON object is expected."),
    (b"{", "Malformed JSON request body."),
])
async def test_a_bad_scaling_body_is_a_400(client, rpc, action, body, message):
    response = await client.post(f"/v1/functions/f1/{action}", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["faultstring"] == message
    assert rpc.calls == []


async def test_a_count_the_service_refuses_is_a_400(client, rpc):
    rpc.answer("execution", "scale_up_function",
               InvalidInput("Invalid count 0: an integer from 1 to 100 is required."))
    response = await client.post("/v1/functions/f1/scale_up", json={"count": 0})
    assert response.status == 400
    assert "Invalid count 0" in (await response.json())["faultstring"]


@pytest.mark.parametrize("target, version", TARGETS)
async def test_detach_is_accepted_without_a_body(client, rpc, target, version):
    response = await client.post(f"{target}/detach")
    assert response.status == 202
    (call,) = rpc.calls_to("execution", "detach_function")
    assert call.args == ("f1", version)


@pytest.mark.parametrize("action, method", SCALING + [("detach", "detach_function")])
async def test_a_bad_version_in_the_path_is_the_service_s_400(client, rpc, action, method):
    message = "Invalid function version 'x': a non-negative integer is required."
    rpc.answer("execution", method, InvalidInput(message))
    response = await client.post(f"/v1/functions/f1/versions/x/{action}", json={"count": 1})
    assert response.status == 400
    assert (await response.json())["faultstring"] == message
    assert rpc.calls_to("execution", method)[0].args[:2] == ("f1", "x")


@pytest.mark.parametrize("action", ["scale_up", "scale_down", "detach"])
async def test_scaling_an_unknown_function_is_a_404(client, rpc, action):
    for method in ("scale_up_function", "scale_down_function", "detach_function"):
        rpc.answer("execution", method, NotFound("Function not found [id=f1]"))
    response = await client.post(f"/v1/functions/f1/{action}", json={"count": 1})
    assert response.status == 404
    assert await response.json() == {"faultstring": "Function not found [id=f1]"}
