import io
import json

import aiohttp

import pytest

from qinling_shared import listing
from qinling_shared.exceptions import (Forbidden, InvalidInput, NotAllowed, NotFound,
                                       Unavailable)

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


REQUIRED_CODE = InvalidInput("Required param is missing. Required: {'code'}")


async def test_missing_code_is_the_services_400(client, rpc):
    rpc.answer("function", "create_function", REQUIRED_CODE)
    response = await client.post("/v1/functions", data={"runtime_id": "r1"})
    assert response.status == 400
    assert await response.json() == {
        "faultstring": "Required param is missing. Required: {'code'}"}
    assert rpc.calls_to("function", "create_function")[0].args == ({"runtime_id": "r1"}, None)


async def test_the_upload_is_handed_to_the_function_service_never_deleted(client, rpc):
    """The function service owns the upload: it deletes it when it refuses the function."""
    rpc.answer("function", "create_function", REQUIRED_CODE)
    response = await client.post("/v1/functions", data=package_form(b"zip", runtime_id="r1"))
    assert response.status == 400
    (create,) = rpc.calls_to("function", "create_function")
    assert create.args[1]["key"] == "default/pkg-1"
    assert rpc.calls_to("storage", "delete_package") == []


async def test_a_failed_call_leaves_the_upload_to_the_storage_reaper(client, rpc, storage):
    rpc.answer("function", "create_function", Unavailable("Service 'function' did not answer."))
    form = package_form(b"zip", code=json.dumps(CODE), runtime_id="r1")
    response = await client.post("/v1/functions", data=form)
    assert response.status == 503
    assert len(storage.uploads) == 1 and [c.method for c in rpc.calls] == ["create_function"]


async def test_a_body_broken_after_the_package_leaves_the_upload_to_the_reaper(client, rpc,
                                                                               storage):
    boundary = "B1"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"package\"; "
            f"filename=\"p.zip\"\r\n\r\nzip\r\n--{boundary}\r\nContent-Disposition: "
            "form-data; name=\"code\"\r\n\r\n{\"sour").encode()
    response = await client.post("/v1/functions", data=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status == 400
    assert await response.json() == {"faultstring": "Malformed multipart/form-data request body."}
    assert len(storage.uploads) == 1 and rpc.calls == []


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
    assert rpc.calls[0].args == (listing.parse({}),)


async def test_list_functions_passes_name_and_runtime_filters(client, rpc):
    rpc.answer("function", "list_functions", [])
    response = await client.get("/v1/functions?name=has:hel&runtime_id=r1&project_id=p2")
    assert await response.json() == {"functions": []}
    (query,) = rpc.calls[0].args
    assert query["filters"] == [["name", "has", "hel"], ["runtime_id", "eq", "r1"]]
    assert query["project_id"] == "p2"


async def test_list_functions_answers_the_service_s_filter_error(client, rpc):
    rpc.answer("function", "list_functions", InvalidInput("Invalid filter 'code'; known: name."))
    response = await client.get("/v1/functions?code=x")
    assert response.status == 400
    assert await response.json() == {"faultstring": "Invalid filter 'code'; known: name."}
    (query,) = rpc.calls[0].args
    assert query["filters"] == [["code", "eq", "x"]]


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


def function_service_update(function_id, values, package):
    return {**FUNCTION, "id": function_id, **values, "package": package}


async def test_update_as_the_real_client_sends_a_package(client, rpc, storage):
    """python-qinlingclient: multipart with ``source=package`` (no ``code``) and the file."""
    rpc.answer("function", "update_function", function_service_update)
    package = b"PK\x03\x04" + bytes(range(256)) * 40
    form = package_form(package, source="package", name="renamed", timeout="10")
    response = await client.put("/v1/functions/f1", data=form)
    assert response.status == 200
    assert (await response.json())["name"] == "renamed"
    (call,) = rpc.calls_to("function", "update_function")
    function_id, values, stored = call.args
    assert (function_id, values) == ("f1", {"source": "package", "name": "renamed",
                                            "timeout": "10"})
    assert stored["size"] == len(package) and stored["key"] == "default/pkg-1"
    assert b"".join(storage.uploads[0][1]) == package


async def test_update_with_a_form_keeps_only_updatable_fields(client, rpc, storage):
    rpc.answer("function", "update_function", function_service_update)
    response = await client.put("/v1/functions/f1", data={
        "description": "d", "entry": "m.run", "cpu": "200", "runtime_id": "r2", "id": "x"})
    assert response.status == 200
    assert rpc.calls[0].args == ("f1", {"description": "d", "entry": "m.run", "cpu": "200"},
                                 None)
    assert storage.uploads == []


async def test_update_with_json_objects_passes_them_as_json_text(client, rpc):
    rpc.answer("function", "update_function", function_service_update)
    code = {"source": "swift", "swift": {"container": "c"}}
    response = await client.put("/v1/functions/f1", json={
        "code": code, "swift": {"object": "o"}, "memory_size": 33554432})
    assert response.status == 200
    assert rpc.calls[0].args == ("f1", {"code": json.dumps(code),
                                        "swift": json.dumps({"object": "o"}),
                                        "memory_size": "33554432"}, None)


@pytest.mark.parametrize("body,message", [
    (b"[1]", "Malformed JSON request body: a JSON object is expected."),
    (b'{"code": [1]}', "Invalid value of 'code': a string or a JSON object is required."),
    (b'{"name": {"a": 1}}', "Invalid value of 'name': a string is required."),
])
async def test_update_with_a_bad_json_body_is_a_400(client, rpc, body, message):
    response = await client.put("/v1/functions/f1", data=body,
                                headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert await response.json() == {"faultstring": message}
    assert rpc.calls == []


async def test_refused_update_is_the_services_error(client, rpc):
    rpc.answer("function", "update_function",
               InvalidInput("The function code type can not be changed."))
    response = await client.put("/v1/functions/f1", data=package_form(b"zip", source="swift"))
    assert response.status == 400
    assert await response.json() == {
        "faultstring": "The function code type can not be changed."}


async def test_truncated_update_upload_is_a_400(client, rpc):
    boundary = "B0"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\n"
            f"package\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"package\"; "
            "filename=\"p.zip\"\r\n\r\n").encode() + b"zip" * 1000
    response = await client.put("/v1/functions/f1", data=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status == 400
    assert await response.json() == {"faultstring": "Malformed multipart/form-data request body."}
    assert rpc.calls_to("function", "update_function") == []


async def test_delete_function(client, rpc):
    response = await client.delete("/v1/functions/f1")
    assert response.status == 204
    assert rpc.calls_to("function", "delete_function")[0].args == ("f1",)


async def test_delete_function_in_use_is_the_services_403(client, rpc):
    message = "The function is still associated with function alias(es)."
    rpc.answer("function", "delete_function", Forbidden(message))
    response = await client.delete("/v1/functions/f1")
    assert response.status == 403
    assert await response.json() == {"faultstring": message}


SIGNED_URL = "http://storage/v1/packages/default/k?expires=1&signature=s"


@pytest.mark.parametrize("flag", ["true", "True", "1", "yes"])
async def test_download_streams_the_package(client, rpc, storage, flag):
    package = bytes(range(256)) * 20  # several FakeStorage chunks
    storage.packages[SIGNED_URL] = package
    rpc.answer("function", "get_package_url", SIGNED_URL)
    response = await client.get(f"/v1/functions/f1?download={flag}")
    assert response.status == 200
    assert await response.read() == package
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="f1"'
    assert response.content_length == len(package)
    assert storage.chunks_read == 6
    assert rpc.calls_to("function", "get_package_url")[0].args == ("f1", 0)
    assert rpc.calls_to("function", "get_function") == []


async def test_download_false_is_the_function(client, rpc):
    rpc.answer("function", "get_function", FUNCTION)
    response = await client.get("/v1/functions/f1?download=false")
    assert await response.json() == FUNCTION
    assert rpc.calls_to("function", "get_package_url") == []


@pytest.mark.parametrize("error,status", [
    (NotAllowed("Download image function is not allowed."), 405),
    (NotFound("Function not found [id=f1]"), 404),
])
async def test_download_refused_by_the_service(client, rpc, error, status):
    rpc.answer("function", "get_package_url", error)
    response = await client.get("/v1/functions/f1?download=true")
    assert response.status == status
    assert await response.json() == {"faultstring": str(error)}


async def test_download_of_a_package_missing_in_storage_is_a_404(client, rpc):
    rpc.answer("function", "get_package_url", SIGNED_URL)
    response = await client.get("/v1/functions/f1?download=true")
    assert response.status == 404
    assert await response.json() == {"faultstring": f"Package not found [url={SIGNED_URL}]"}
