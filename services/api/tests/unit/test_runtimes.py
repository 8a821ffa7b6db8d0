import pytest

RUNTIME = {"id": "r1", "name": "py", "image": "python3", "status": "creating"}


async def test_create_runtime(client, rpc):
    rpc.answer("execution", "create_runtime", RUNTIME)
    response = await client.post("/v1/runtimes", json={
        "image": "python3", "name": "py", "is_public": False, "unknown": "dropped"})
    assert response.status == 201
    assert await response.json() == RUNTIME
    (call,) = rpc.calls_to("execution", "create_runtime")
    assert call.args == ({"image": "python3", "name": "py", "is_public": False},)


async def test_create_runtime_without_image(client, rpc):
    response = await client.post("/v1/runtimes", json={"name": "py"})
    assert response.status == 400
    assert await response.json() == {
        "faultstring": "Required param is missing. Required: {'image'}"}
    assert rpc.calls == []


@pytest.mark.parametrize("body,message", [
    ({"image": 3}, "Invalid value of 'image': a string is required."),
    ({"image": "p", "is_public": "no"}, "Invalid value of 'is_public': a boolean is required."),
])
async def test_create_runtime_with_wrong_types(client, body, message):
    response = await client.post("/v1/runtimes", json=body)
    assert response.status == 400
    assert await response.json() == {"faultstring": message}


async def test_list_runtimes_is_wrapped(client, rpc):
    rpc.answer("execution", "list_runtimes", [RUNTIME])
    response = await client.get("/v1/runtimes")
    assert await response.json() == {"runtimes": [RUNTIME]}


async def test_get_runtime(client, rpc):
    rpc.answer("execution", "get_runtime", lambda runtime_id: {**RUNTIME, "id": runtime_id})
    response = await client.get("/v1/runtimes/abc")
    assert response.status == 200
    assert (await response.json())["id"] == "abc"
