import pytest

from qinling_shared.exceptions import NotFound

WORKER = {"function_id": "f1", "function_version": 2, "worker_name": "f1-2-abc"}


@pytest.mark.parametrize("path", ["/v1/functions/f1/workers", "/v1/functions/f1/workers/"])
async def test_workers_listed_with_or_without_trailing_slash(client, rpc, path):
    rpc.answer("execution", "list_workers", [WORKER])
    response = await client.get(path, params={"function_version": "2"})
    assert response.status == 200
    assert await response.json() == {"workers": [WORKER]}
    assert rpc.calls[0].args == ("f1", 2)


async def test_version_defaults_to_zero(client, rpc):
    rpc.answer("execution", "list_workers", [])
    await client.get("/v1/functions/f1/workers")
    assert rpc.calls[0].args == ("f1", 0)


async def test_bad_version_is_a_400(client, rpc):
    response = await client.get("/v1/functions/f1/workers", params={"function_version": "x"})
    assert response.status == 400
    assert rpc.calls == []


async def test_unknown_function_is_a_404(client, rpc):
    rpc.answer("execution", "list_workers", NotFound("Function not found [id=f1]"))
    response = await client.get("/v1/functions/f1/workers")
    assert response.status == 404
    assert await response.json() == {"faultstring": "Function not found [id=f1]"}
