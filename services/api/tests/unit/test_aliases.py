import pytest

from qinling_shared import listing
from qinling_shared.exceptions import InvalidInput, NotFound

ALIAS = {"id": "a-1", "name": "prod", "function_id": "f1", "function_version": 1,
         "description": "", "project_id": "default"}
REQUIRED = "Required param is missing. Required: {'name', 'function_id'}"


@pytest.mark.parametrize("path", ["/v1/aliases", "/v1//aliases"])
async def test_create_alias(client, rpc, path):
    rpc.answer("function", "create_alias", lambda values: {**ALIAS, **values})
    response = await client.post(path, json={
        "name": "prod", "function_id": "f1", "function_version": 1, "description": "",
        "project_id": "other"}, allow_redirects=False)
    assert response.status == 201
    assert await response.json() == ALIAS
    assert rpc.calls[0].args == ({"name": "prod", "function_id": "f1", "function_version": 1,
                                  "description": ""},)


@pytest.mark.parametrize("body, passed", [
    ({}, {}), ({"name": "prod"}, {"name": "prod"}), ({"function_id": "f1"}, {"function_id": "f1"}),
    ({"name": None, "function_id": "f1"}, {"function_id": "f1"})])
async def test_create_alias_without_name_or_function_is_the_services_400(client, rpc, body,
                                                                         passed):
    rpc.answer("function", "create_alias", InvalidInput(REQUIRED))
    response = await client.post("/v1/aliases", json=body)
    assert response.status == 400
    assert await response.json() == {"faultstring": REQUIRED}
    assert rpc.calls[0].args == (passed,)


@pytest.mark.parametrize("body,message", [
    ({"name": 1, "function_id": "f1"}, "Invalid value of 'name': a string is required."),
    ({"name": "a", "function_id": "f1", "function_version": "x"},
     "Invalid value of 'function_version': an integer is required."),
    ({"name": "a", "function_id": "f1", "function_version": 1.5},
     "Invalid value of 'function_version': an integer is required."),
    ({"name": "a", "function_id": "f1", "function_version": False},
     "Invalid value of 'function_version': an integer is required."),
])
async def test_create_alias_with_wrong_types_is_a_400(client, rpc, body, message):
    response = await client.post("/v1/aliases", json=body)
    assert response.status == 400
    assert await response.json() == {"faultstring": message}
    assert rpc.calls == []


async def test_duplicate_alias_is_the_services_error(client, rpc):
    rpc.answer("function", "create_alias",
               InvalidInput("Duplicate entry for function_aliases: ['name']"))
    response = await client.post("/v1/aliases", json={"name": "prod", "function_id": "f1"})
    assert response.status == 400
    assert (await response.json())["faultstring"].startswith("Duplicate entry")


@pytest.mark.parametrize("path", ["/v1/aliases", "/v1//aliases"])
async def test_list_aliases_is_wrapped(client, rpc, path):
    rpc.answer("function", "list_aliases", [ALIAS])
    response = await client.get(path, allow_redirects=False)
    assert await response.json() == {"function_aliases": [ALIAS]}
    assert rpc.calls[0].args == (listing.parse({}),)


async def test_list_aliases_passes_paging_and_filters(client, rpc):
    rpc.answer("function", "list_aliases", [])
    assert (await client.get("/v1/aliases?limit=1&sort_key=name&function_id=f1")).status == 200
    (query,) = rpc.calls[0].args
    assert query["limit"] == 1 and query["sort_key"] == "name"
    assert query["filters"] == [["function_id", "eq", "f1"]]


async def test_get_alias(client, rpc):
    rpc.answer("function", "get_alias", ALIAS)
    response = await client.get("/v1/aliases/prod")
    assert await response.json() == ALIAS
    assert rpc.calls[0].args == ("prod",)


async def test_unknown_alias_is_the_services_404(client, rpc):
    rpc.answer("function", "get_alias", NotFound("FunctionAlias not found [name=nope]"))
    response = await client.get("/v1/aliases/nope")
    assert response.status == 404
    assert await response.json() == {"faultstring": "FunctionAlias not found [name=nope]"}


async def test_update_alias_as_the_cli_sends_it(client, rpc):
    """``function alias update prod --function-version 2``: the version as text, nulls."""
    rpc.answer("function", "update_alias",
               lambda name, values: {**ALIAS, "name": name, **values})
    response = await client.put("/v1/aliases/prod", json={
        "function_id": None, "function_version": "2", "description": None})
    assert response.status == 200
    assert (await response.json())["function_version"] == 2
    assert rpc.calls[0].args == ("prod", {"function_version": 2})


@pytest.mark.parametrize("body,message", [
    (b"{", "Malformed JSON request body."),
    (b'{"function_version": "two"}',
     "Invalid value of 'function_version': an integer is required."),
    (b'{"description": 3}', "Invalid value of 'description': a string is required."),
])
async def test_update_alias_with_a_bad_body_is_a_400(client, rpc, body, message):
    response = await client.put("/v1/aliases/prod", data=body,
                                headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert await response.json() == {"faultstring": message}
    assert rpc.calls == []


async def test_delete_alias(client, rpc):
    response = await client.delete("/v1/aliases/prod")
    assert response.status == 204
    assert rpc.calls_to("function", "delete_alias")[0].args == ("prod",)
