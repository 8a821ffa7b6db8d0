"""``max_retries`` of a function passes the gateway's form on create and update."""


async def test_max_retries_is_a_create_field(client, rpc):
    rpc.answer("function", "create_function", {"id": "f1", "code": {"source": "image"}})
    response = await client.post("/v1/functions", json={
        "code": {"source": "image", "image": "alpine"}, "max_retries": 2})
    assert response.status == 201
    assert rpc.calls[0].args[0]["max_retries"] == "2"


async def test_max_retries_is_an_update_field(client, rpc):
    rpc.answer("function", "update_function", {"id": "f1", "code": {"source": "image"}})
    response = await client.put("/v1/functions/f1", data={"max_retries": "0"})
    assert response.status == 200
    assert rpc.calls[0].args[1] == {"max_retries": "0"}
