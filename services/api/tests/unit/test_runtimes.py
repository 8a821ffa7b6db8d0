import pytest

from qinling_shared import listing
from qinling_shared.exceptions import Forbidden, InvalidInput, NotFound

RUNTIME = {"id": "r1", "name": "py", "image": "python3", "status": "creating"}


async def test_create_runtime(client, rpc):
    """The JSON object goes to the execution service, which picks and checks its fields."""
    rpc.answer("execution", "create_runtime", RUNTIME)
    body = {"image": "python3", "name": "py", "is_public": False, "unknown": "ignored"}
    response = await client.post("/v1/runtimes", json=body)
    assert response.status == 201
    assert await response.json() == RUNTIME
    (call,) = rpc.calls_to("execution", "create_runtime")
    assert call.args == (body,)


@pytest.mark.parametrize("body,message", [
    ({"name": "py"}, "Required param is missing. Required: {'image'}"),
    ({"image": 3}, "Invalid image: a string is required."),
    ({"image": "p", "is_public": "no"}, "Invalid is_public: a boolean is required."),
])
async def test_create_runtime_refused_by_the_service(client, rpc, body, message):
    rpc.answer("execution", "create_runtime", InvalidInput(message))
    response = await client.post("/v1/runtimes", json=body)
    assert response.status == 400
    assert await response.json() == {"faultstring": message}
    assert rpc.calls[0].args == (body,)


async def test_create_runtime_needs_a_json_object(client, rpc):
    response = await client.post("/v1/runtimes", json=["python3"])
    assert response.status == 400
    assert await response.json() == {
        "faultstring": "Malformed JSON request body: a JSON object is expected."}
    assert rpc.calls == []


async def test_list_runtimes_is_wrapped(client, rpc):
    rpc.answer("execution", "list_runtimes", [RUNTIME])
    response = await client.get("/v1/runtimes")
    assert await response.json() == {"runtimes": [RUNTIME]}
    (call,) = rpc.calls_to("execution", "list_runtimes")
    assert call.args == (listing.parse({}),)


async def test_list_runtimes_passes_paging_and_all_projects(client, rpc):
    rpc.answer("execution", "list_runtimes", [])
    response = await client.get("/v1/runtimes?limit=2&marker=r1&sort_dir=desc&all_projects=true")
    assert response.status == 200
    (query,) = rpc.calls[0].args
    assert query["limit"] == 2 and query["marker"] == "r1" and query["sort_dir"] == "desc"
    assert query["all_projects"] is True and query["filters"] == []


@pytest.mark.parametrize("params,message", [
    ("limit=ten", "Invalid limit: an integer is required."),
    ("all_projects=maybe", "Invalid all_projects: true or false is required."),
])
async def test_list_runtimes_with_bad_params_is_a_400(client, rpc, params, message):
    response = await client.get(f"/v1/runtimes?{params}")
    assert response.status == 400
    assert (await response.json())["faultstring"].startswith(message)
    assert rpc.calls == []


async def test_get_runtime(client, rpc):
    rpc.answer("execution", "get_runtime", lambda runtime_id: {**RUNTIME, "id": runtime_id})
    response = await client.get("/v1/runtimes/abc")
    assert response.status == 200
    assert (await response.json())["id"] == "abc"


async def test_update_runtime_passes_the_body(client, rpc):
    """The execution service applies only name, description and image (Qinling's rule)."""
    rpc.answer("execution", "update_runtime",
               lambda runtime_id, values: {**RUNTIME, "id": runtime_id, "image": values["image"]})
    body = {"image": "python3.11", "description": "new", "is_public": False, "status": "x"}
    response = await client.put("/v1/runtimes/r1", json=body)
    assert response.status == 200
    assert (await response.json())["image"] == "python3.11"
    (call,) = rpc.calls_to("execution", "update_runtime")
    assert call.args == ("r1", body)


async def test_update_runtime_with_a_malformed_body_is_a_400(client, rpc):
    response = await client.put("/v1/runtimes/r1", data=b"{",
                                headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert await response.json() == {"faultstring": "Malformed JSON request body."}
    assert rpc.calls == []


async def test_update_runtime_refused_by_the_service(client, rpc):
    message = "Invalid name: a string is required."
    rpc.answer("execution", "update_runtime", InvalidInput(message))
    response = await client.put("/v1/runtimes/r1", json={"name": 1})
    assert response.status == 400
    assert await response.json() == {"faultstring": message}


async def test_delete_runtime(client, rpc):
    response = await client.delete("/v1/runtimes/r1")
    assert response.status == 204
    assert rpc.calls_to("execution", "delete_runtime")[0].args == ("r1",)


async def test_delete_runtime_in_use_is_the_services_403(client, rpc):
    rpc.answer("execution", "delete_runtime", Forbidden("Runtime r1 is still in use."))
    response = await client.delete("/v1/runtimes/r1")
    assert response.status == 403
    assert await response.json() == {"faultstring": "Runtime r1 is still in use."}


async def test_runtime_pool(client, rpc):
    pool = {"name": "r1", "capacity": {"total": 3, "available": 2}}
    rpc.answer("execution", "get_runtime_pool", pool)
    response = await client.get("/v1/runtimes/r1/pool")
    assert response.status == 200
    assert await response.json() == pool
    assert rpc.calls[0].args == ("r1",)


async def test_pool_of_an_unknown_runtime_is_the_services_404(client, rpc):
    rpc.answer("execution", "get_runtime_pool", NotFound("Runtime not found [id=nope]"))
    response = await client.get("/v1/runtimes/nope/pool")
    assert response.status == 404
    assert await response.json() == {"faultstring": "Runtime not found [id=nope]"}
