import pytest

from qinling_shared.exceptions import Forbidden, InvalidInput, NotFound

VERSION = {"id": "v-1", "function_id": "f1", "version_number": 1, "description": "first",
           "count": 0}
SIGNED_URL = "http://storage/v1/packages/default/k_1?expires=1&signature=s"


async def test_create_version(client, rpc):
    rpc.answer("function", "create_version",
               lambda function_id, description: {**VERSION, "description": description})
    response = await client.post("/v1/functions/f1/versions", json={"description": "first"})
    assert response.status == 201
    assert await response.json() == VERSION
    assert rpc.calls[0].args == ("f1", "first")


@pytest.mark.parametrize("body", [b"", b"{}"])
async def test_create_version_without_a_description(client, rpc, body):
    rpc.answer("function", "create_version", VERSION)
    response = await client.post("/v1/functions/f1/versions", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 201
    assert rpc.calls[0].args == ("f1", None)


@pytest.mark.parametrize("body,message", [
    (b"{", "Malformed JSON request body."),
    (b'"v1"', "Malformed JSON request body: a JSON object is expected."),
    (b'{"description": 1}', "Invalid value of 'description': a string is required."),
])
async def test_create_version_with_a_bad_body_is_a_400(client, rpc, body, message):
    response = await client.post("/v1/functions/f1/versions", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert await response.json() == {"faultstring": message}
    assert rpc.calls == []


async def test_create_version_refused_by_the_service(client, rpc):
    message = "Function package not changed since the latest version 1."
    rpc.answer("function", "create_version", Forbidden(message))
    response = await client.post("/v1/functions/f1/versions", json={})
    assert response.status == 403
    assert await response.json() == {"faultstring": message}


async def test_list_versions_is_wrapped(client, rpc):
    rpc.answer("function", "list_versions", [VERSION])
    response = await client.get("/v1/functions/f1/versions")
    assert await response.json() == {"function_versions": [VERSION]}
    assert rpc.calls[0].args == ("f1",)


async def test_get_version_passes_the_path_segment(client, rpc):
    rpc.answer("function", "get_version", VERSION)
    response = await client.get("/v1/functions/f1/versions/1")
    assert response.status == 200
    assert await response.json() == VERSION
    assert rpc.calls[0].args == ("f1", "1")


async def test_unknown_version_is_the_services_404(client, rpc):
    message = "FunctionVersion not found [function_id=f1, version_number=9]"
    rpc.answer("function", "get_version", NotFound(message))
    response = await client.get("/v1/functions/f1/versions/9")
    assert response.status == 404
    assert await response.json() == {"faultstring": message}


@pytest.mark.parametrize("method, rpc_method", [("GET", "get_version"),
                                               ("DELETE", "delete_version")])
@pytest.mark.parametrize("raw", ["one", "-1", "1.5", "²", "1" * 19])
async def test_a_version_that_is_not_an_integer_is_the_services_400(client, rpc, method,
                                                                    rpc_method, raw):
    """The function service checks version numbers (``version_rules.number``)."""
    message = f"Invalid function version '{raw}': a non-negative integer is required."
    rpc.answer("function", rpc_method, InvalidInput(message))
    response = await client.request(method, f"/v1/functions/f1/versions/{raw}")
    assert response.status == 400
    assert await response.json() == {"faultstring": message}
    assert rpc.calls[0].args == ("f1", raw)


async def test_download_a_version(client, rpc, storage):
    storage.packages[SIGNED_URL] = b"PK\x03\x04 version one"
    rpc.answer("function", "get_package_url", SIGNED_URL)
    response = await client.get("/v1/functions/f1/versions/1?download=true")
    assert response.status == 200
    assert await response.read() == b"PK\x03\x04 version one"
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="f1_1"'
    assert rpc.calls[0].args == ("f1", "1")


async def test_delete_version(client, rpc):
    response = await client.delete("/v1/functions/f1/versions/2")
    assert response.status == 204
    assert rpc.calls_to("function", "delete_version")[0].args == ("f1", "2")


async def test_delete_version_in_use_is_the_services_403(client, rpc):
    message = "The function version is still associated with alias."
    rpc.answer("function", "delete_version", Forbidden(message))
    response = await client.delete("/v1/functions/f1/versions/2")
    assert response.status == 403
    assert await response.json() == {"faultstring": message}
