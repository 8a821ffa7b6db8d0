import io
import json

import aiohttp

from qinling_shared.exceptions import InvalidInput, NotFound

CODE = {"source": "package", "md5sum": None}
FUNCTION = {"id": "f1", "name": "hello", "runtime_id": "r1", "code": CODE, "entry": "m.main"}


def package_form(package, fields_first=True, **fields):
    form = aiohttp.FormData()
    items = [(name, value) for name, value in fields.items()]
    if not fields_first:
        form.add_field("package", io.BytesIO(package), filename="p.zip",
                       content_type="application/zip")
    for name, value in items:
        form.add_field(name, value)
    if fields_first:
        form.add_field("package", io.BytesIO(package), filename="p.zip",
                       content_type="application/zip")
    return form


def function_service_echo(values, package):
    return {**FUNCTION, "code": json.loads(values["code"]), "package": package}


async def test_multipart_package_is_streamed_to_storage_in_chunks(client, rpc, storage):
    rpc.answer("function", "create_function", function_service_echo)
    package = bytes(range(256)) * 8192  # 2 MiB: more than the request size limit
    form = package_form(package, code=json.dumps(CODE), runtime_id="r1", entry="m.main",
                        timeout="5", memory_size="33554432")
    response = await client.post("/v1/functions", data=form)
    assert response.status == 201
    assert (await response.json())["code"] == CODE  # an object on create

    (project_id, chunks), = storage.uploads
    assert project_id == "default"
    assert b"".join(chunks) == package
    assert len(chunks) > 10 and max(map(len, chunks)) <= 64 * 1024
    (call,) = rpc.calls_to("function", "create_function")
    values, stored = call.args
    assert values == {"code": json.dumps(CODE), "runtime_id": "r1", "entry": "m.main",
                      "timeout": "5", "memory_size": "33554432"}
    assert stored["size"] == len(package) and stored["key"].startswith("default/")


async def test_package_may_come_before_the_fields(client, rpc, storage):
    rpc.answer("function", "create_function", function_service_echo)
    form = package_form(b"PK\x03\x04zip", fields_first=False, code=json.dumps(CODE), name="n")
    response = await client.post("/v1/functions", data=form)
    assert response.status == 201
    values, stored = rpc.calls_to("function", "create_function")[0].args
    assert values == {"code": json.dumps(CODE), "name": "n"}
    assert stored is not None


async def test_missing_code_is_a_400(client, rpc):
    response = await client.post("/v1/functions", data={"runtime_id": "r1"})
    assert response.status == 400
    assert await response.json() == {
        "faultstring": "Required param is missing. Required: {'code'}"}
    assert rpc.calls == []


async def test_missing_code_deletes_an_uploaded_package(client, rpc, storage):
    response = await client.post("/v1/functions", data=package_form(b"zip", runtime_id="r1"))
    assert response.status == 400
    assert await response.json() == {
        "faultstring": "Required param is missing. Required: {'code'}"}
    (delete,) = rpc.calls_to("storage", "delete_package")
    assert delete.args == ("default/pkg-1",)
    assert rpc.calls_to("function", "create_function") == []


async def test_urlencoded_form_without_package(client, rpc, storage):
    rpc.answer("function", "create_function", function_service_echo)
    code = json.dumps({"source": "image", "image": "alpine"})
    response = await client.post("/v1/functions", data={"code": code, "name": "img", "x": "y"})
    assert response.status == 201
    assert rpc.calls[0].args == ({"code": code, "name": "img"}, None)
    assert storage.uploads == []


async def test_json_body_values_become_form_strings(client, rpc):
    rpc.answer("function", "create_function", function_service_echo)
    code = {"source": "image", "image": "alpine"}
    response = await client.post("/v1/functions", json={"code": code, "cpu": 100, "name": None})
    assert response.status == 201
    assert rpc.calls[0].args == ({"code": json.dumps(code), "cpu": "100"}, None)


async def test_json_body_with_a_wrong_type_is_a_400(client):
    response = await client.post("/v1/functions", json={"code": "{}", "timeout": [5]})
    assert response.status == 400
    assert await response.json() == {
        "faultstring": "Invalid value of 'timeout': a string is required."}


async def test_storage_errors_pass_through(client, rpc, storage):
    storage.error = InvalidInput("Package is not a valid ZIP package.")
    form = package_form(b"not a zip", code=json.dumps(CODE))
    response = await client.post("/v1/functions", data=form)
    assert response.status == 400
    assert await response.json() == {"faultstring": "Package is not a valid ZIP package."}
    assert rpc.calls == []


async def test_truncated_multipart_is_a_400_and_drops_the_upload(client, rpc):
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"package\"; "
            f"filename=\"p.zip\"\r\n\r\n").encode() + b"zipbytes" * 100
    response = await client.post("/v1/functions", data=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status == 400
    assert await response.json() == {"faultstring": "Malformed multipart/form-data request body."}
    assert rpc.calls_to("function", "create_function") == []


async def test_unsupported_content_type_is_a_400(client):
    response = await client.post("/v1/functions", data=b"code",
                                 headers={"Content-Type": "text/plain"})
    assert response.status == 400
    assert "Unsupported Content-Type 'text/plain'" in (await response.json())["faultstring"]


async def test_list_functions_gives_code_as_a_json_string(client, rpc):
    rpc.answer("function", "list_functions", [FUNCTION])
    response = await client.get("/v1/functions")
    (function,) = (await response.json())["functions"]
    assert isinstance(function["code"], str)
    assert json.loads(function["code"]) == CODE


async def test_get_function_gives_code_as_an_object(client, rpc):
    rpc.answer("function", "get_function", FUNCTION)
    response = await client.get("/v1/functions/f1")
    assert (await response.json())["code"] == CODE
    assert rpc.calls[0].args == ("f1",)


async def test_unknown_function_is_the_services_404(client, rpc):
    rpc.answer("function", "get_function", NotFound("Function not found [id=nope]"))
    response = await client.get("/v1/functions/nope")
    assert response.status == 404
    assert await response.json() == {"faultstring": "Function not found [id=nope]"}
