"""The request guard: its pure checks, and the refusals it answers before a view runs."""
import gzip
import zlib

import pytest

from qinling_api import request_checks
from qinling_shared import jsontext

MAX = 1024 * 1024
TOO_LARGE = f"Request body is too large: at most {MAX} bytes are accepted."
TOO_DEEP = f"Malformed JSON request body: JSON nesting too deep (max {jsontext.MAX_DEPTH})."
SURROGATE = "Malformed JSON request body: invalid Unicode (a lone surrogate)."
MULTIPART = "multipart/form-data; boundary=b"


# -- the pure checks ---------------------------------------------------------------------

@pytest.mark.parametrize("content_type,length,refusal", [
    ("application/json", None, None), ("application/json", 0, None),
    ("application/json", 10, None), ("", 11, "Request body is too large: at most 10 bytes "
                                               "are accepted."),
    ("application/x-www-form-urlencoded", 100 * 10 ** 9,
     "Request body is too large: at most 10 bytes are accepted."),
    ("multipart/form-data", 99 + 10, None),
    ("multipart/form-data", 99 + 11, "Package exceeds the maximum size of 99 bytes."),
    ("multipart/form-data", None, None)])
def test_declared_size(content_type, length, refusal):
    """A function's form may carry a package (99 here) besides its text fields (10)."""
    assert request_checks.declared_size_refusal(content_type, length, 10, 99) == refusal


@pytest.mark.parametrize("encoding", ["", "identity", "gzip", "GZIP", "deflate", " gzip "])
def test_decoded_encodings_are_accepted(encoding):
    assert request_checks.encoding_refusal(encoding) is None


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, gzip", "x\x01"])
def test_other_encodings_are_refused(encoding):
    assert request_checks.encoding_refusal(encoding) == (
        f"Unsupported Content-Encoding {encoding!r}: send the body as it is, or compressed "
        "with gzip or deflate.")


@pytest.mark.parametrize("path,query,message", [
    ("/v1/functions/f1", [("limit", "2")], None),
    ("/v1/functions/caf\u00e9", [("name", "has:\u00e9\U0001F600")], None),
    ("/v1/functions/a\x00b", [], "Invalid URL path: it holds a control character."),
    ("/v1/functions/\udcff", [], "Invalid URL path: it holds invalid Unicode."),
    ("/v1/executions", [("function_id", "\x00")],
     "Invalid query parameter 'function_id': it holds a control character."),
    ("/v1/executions", [("a\nb", "1")],
     "Invalid query parameter 'a\\nb': it holds a control character."),
    ("/v1/executions", [("marker", "\ud800")],
     "Invalid query parameter 'marker': it holds invalid Unicode."),
])
def test_url_refusal(path, query, message):
    assert request_checks.url_refusal(path, query) == message


# -- the middleware, on the app with fake services --------------------------------------

async def fault_of(response, status):
    assert response.status == status, await response.text()
    return (await response.json())["faultstring"]


async def test_a_declared_content_length_above_the_limit_is_refused_unread(client, rpc):
    """The body is never sent: the 413 comes from the headers alone."""
    response = await client.post("/v1/runtimes", data=b"{}", headers={
        "Content-Type": "application/json", "Content-Length": str(100 * 1024 ** 3)})
    assert await fault_of(response, 413) == TOO_LARGE
    assert rpc.calls == []


async def test_a_chunked_body_is_capped_while_it_is_read(client, rpc):
    async def chunks():
        for _ in range(MAX // 1000 + 2):
            yield b" " * 1000
    response = await client.post("/v1/runtimes", data=chunks(),
                                 headers={"Content-Type": "application/json"})
    assert await fault_of(response, 413) == TOO_LARGE
    assert rpc.calls == []


@pytest.mark.parametrize("encoding,compress", [("gzip", gzip.compress),
                                               ("deflate", zlib.compress)])
async def test_compressed_json_is_decoded(client, rpc, encoding, compress):
    rpc.answer("execution", "create_runtime", {"id": "r1"})
    response = await client.post("/v1/runtimes", data=compress(b'{"image": "python3"}'),
                                 headers={"Content-Type": "application/json",
                                          "Content-Encoding": encoding})
    assert response.status == 201
    assert rpc.calls[0].args == ({"image": "python3"},)


async def test_a_gzip_bomb_stops_at_the_limit(client, rpc):
    bomb = gzip.compress(b" " * (16 * MAX))  # 16 MiB of spaces in about 16 KiB
    assert len(bomb) < MAX
    response = await client.post("/v1/runtimes", data=bomb, headers={
        "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert await fault_of(response, 413) == TOO_LARGE
    assert rpc.calls == []


async def test_a_bad_gzip_body_is_a_400(client, rpc):
    """D5: ``-H 'Content-Encoding: gzip' -d 0123456789``."""
    response = await client.post("/v1/runtimes", data=b"0123456789", headers={
        "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert await fault_of(response, 400) == "Malformed request body: it is not valid gzip data."
    assert rpc.calls == []


async def test_a_bad_gzip_multipart_body_is_a_400(client, rpc, storage):
    response = await client.post("/v1/functions", data=b"0123456789", headers={
        "Content-Type": MULTIPART, "Content-Encoding": "gzip"})
    assert await fault_of(response, 400) == "Malformed request body: it is not valid gzip data."
    assert rpc.calls == []


async def test_an_unknown_encoding_is_a_415(client, rpc):
    response = await client.post("/v1/runtimes", data=b"{}", headers={
        "Content-Type": "application/json", "Content-Encoding": "compress"})
    assert await fault_of(response, 415) == request_checks.encoding_refusal("compress")
    assert rpc.calls == []


@pytest.mark.parametrize("method,path", [
    ("POST", "/v1/runtimes"), ("PUT", "/v1/runtimes/r1"), ("POST", "/v1/executions"),
    ("POST", "/v1/aliases"), ("PUT", "/v1/aliases/a"), ("POST", "/v1/functions"),
    ("PUT", "/v1/functions/f1"), ("POST", "/v1/functions/f1/versions"),
    ("POST", "/v1/functions/f1/scale_up")])
async def test_deep_json_is_a_400_on_every_json_endpoint(client, rpc, method, path):
    """D1: ``"[" * 100000``, and a deep value inside an object."""
    for body in ("[" * 100000, '{"name": ' + "[" * 100 + "]" * 100 + "}"):
        response = await client.request(method, path, data=body,
                                        headers={"Content-Type": "application/json"})
        assert await fault_of(response, 400) == TOO_DEEP
    assert rpc.calls == []


@pytest.mark.parametrize("body", ['{"function_id": "\\ud800"}', '{"function_alias": "\\udc00"}',
                                  '{"function_id": "f", "input": {"\\ud800": 1}}'])
async def test_lone_surrogates_in_a_json_body_are_a_400(client, rpc, body):
    """D4."""
    response = await client.post("/v1/executions", data=body,
                                 headers={"Content-Type": "application/json"})
    assert await fault_of(response, 400) == SURROGATE
    assert rpc.calls == []


@pytest.mark.parametrize("path,message", [
    ("/v1/functions/a%00b", "Invalid URL path: it holds a control character."),
    ("/v1/executions?function_id=%00", "Invalid query parameter 'function_id': it holds a "
                                       "control character."),
])
async def test_control_characters_in_the_url_are_a_400(client, rpc, path, message):
    response = await client.get(path)
    assert await fault_of(response, 400) == message
    assert rpc.calls == []


@pytest.mark.parametrize("part_headers", [
    b'Content-Disposition: form-data; name="a\x0bb"',                      # D3
    b'Content-Disposition: form-data; name="co\x00de"',
    b'Content-Disposition: form-data; name="code"\r\nX-A: \x01',
    b'Content-Disposition: form-data; name="code"\r\nContent-Type: text/plain; charset=nope',
])
async def test_a_malformed_multipart_part_is_a_400(client, rpc, part_headers):
    body = b"--b\r\n" + part_headers + b"\r\n\r\nx\r\n--b--\r\n"
    response = await client.post("/v1/functions", data=body,
                                 headers={"Content-Type": MULTIPART})
    assert await fault_of(response, 400) == "Malformed multipart/form-data request body."
    assert rpc.calls == []


async def test_an_oversized_multipart_text_field_is_a_413(client, rpc):
    async def chunks():
        yield b'--b\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
        for _ in range(MAX // 1000 + 2):
            yield b"d" * 1000
        yield b"\r\n--b--\r\n"
    response = await client.post("/v1/functions", data=chunks(),
                                 headers={"Content-Type": MULTIPART})
    assert await fault_of(response, 413) == TOO_LARGE
    assert rpc.calls == []


@pytest.mark.parametrize("method,path,status", [
    ("TRACE", "/v1/runtimes", 405), ("PATCH", "/v1/functions/f1", 405),
    ("POST", "/v1/nothing", 404)])
async def test_a_body_sent_to_no_route_is_a_404_or_405(client, rpc, method, path, status):
    """Found by schemathesis: the guard read the body of a request matching no route, and
    the slash normalizer then failed (500) to clone the request to look for its route."""
    response = await client.request(method, path, data=b'{"image": ""}',
                                    headers={"Content-Type": "application/json"})
    assert response.status == status, await response.text()
    assert "faultstring" in await response.json()
    assert rpc.calls == []


@pytest.mark.parametrize("path", ["/v1//runtimes", "/v1/runtimes/"])
async def test_a_body_sent_to_a_misspelt_route_is_redirected(client, rpc, path):
    response = await client.post(path, data=b"{}", allow_redirects=False,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 308
    assert response.headers["Location"] == "/v1/runtimes"
