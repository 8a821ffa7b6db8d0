"""The hostile-input corpus of issue #9 (D1-D5 and the minor items) against a live platform.

Each case is the exact bytes of one request, sent over a raw socket (no client library
cleans them up first), and expects one 4xx status and one ``faultstring``; after each case
the platform is still healthy. The bytes are fixed: the corpus is seeded, every run sends
the same requests.
"""
import gzip
import json
import socket

import pytest
import requests
from aiohttp.compression_utils import HAS_BROTLI

from qinling_shared import jsontext

DEEP = "[" * 100000                                    # D1
DEEP_TEXT = "[" * 3000 + "]" * 3000                    # D2: deep JSON inside a string
TOO_DEEP = f"Malformed JSON request body: JSON nesting too deep (max {jsontext.MAX_DEPTH})."
SURROGATE = "Malformed JSON request body: invalid Unicode (a lone surrogate)."
MALFORMED_MULTIPART = "Malformed multipart/form-data request body."
MAX_BODY = 1024 * 1024                                 # [api] max_body_size's default
TOO_LARGE = f"Request body is too large: at most {MAX_BODY} bytes are accepted."
MAX_PACKAGE = 50 * 1024 * 1024                          # [storage] max_package_size
JSON = {"Content-Type": "application/json"}
# every route that reads a JSON body (the function routes read JSON when it is sent)
JSON_ROUTES = [("POST", "/v1/runtimes"), ("PUT", "/v1/runtimes/r1"),
               ("POST", "/v1/executions"), ("POST", "/v1/aliases"), ("PUT", "/v1/aliases/a1"),
               ("POST", "/v1/functions"), ("PUT", "/v1/functions/f1"),
               ("POST", "/v1/functions/f1/versions"), ("POST", "/v1/functions/f1/scale_up"),
               ("POST", "/v1/functions/f1/scale_down"),
               ("POST", "/v1/functions/f1/versions/1/scale_up")]


def multipart(part_head, value=b"x"):
    """A multipart body of one part (boundary ``b``) with the raw header lines ``part_head``."""
    return b"--b\r\n" + part_head + b"\r\n\r\n" + value + b"\r\n--b--\r\n"


def form_part(name, value):
    return multipart(f'Content-Disposition: form-data; name="{name}"'.encode(), value)


MULTIPART = {"Content-Type": "multipart/form-data; boundary=b"}


def case(name, method, path, headers, body, status, message):
    return pytest.param(method, path, headers, body, status, message, id=name)


CASES = [
    *(case(f"D1 deep JSON {method} {path}", method, path, JSON, DEEP.encode(), 400, TOO_DEEP)
      for method, path in JSON_ROUTES),
    case("D1 deep JSON in a value", "POST", "/v1/executions", JSON,
         b'{"function_id": "f", "input": {"a": ' + b"[" * 200 + b"]" * 200 + b"}}",
         400, TOO_DEEP),
    case("D3 control character in a multipart part name", "POST", "/v1/functions", MULTIPART,
         multipart(b'Content-Disposition: form-data; name="a\x0bb"'), 400, MALFORMED_MULTIPART),
    case("D3 NUL in a multipart part name", "PUT", "/v1/functions/f1", MULTIPART,
         multipart(b'Content-Disposition: form-data; name="co\x00de"'), 400,
         MALFORMED_MULTIPART),
    case("D3 control character in a multipart part header", "POST", "/v1/functions",
         MULTIPART, multipart(b'Content-Disposition: form-data; name="code"\r\nX-A: \x01'),
         400, MALFORMED_MULTIPART),
    case("unknown charset of a multipart part", "POST", "/v1/functions", MULTIPART,
         multipart(b'Content-Disposition: form-data; name="code"\r\n'
                   b"Content-Type: text/plain; charset=nope"), 400, MALFORMED_MULTIPART),
    case("D4 lone surrogate in function_id", "POST", "/v1/executions", JSON,
         b'{"function_id": "\\ud800"}', 400, SURROGATE),
    case("D4 lone surrogate in function_alias", "POST", "/v1/executions", JSON,
         b'{"function_alias": "\\udc00"}', 400, SURROGATE),
    case("D4 lone surrogate in a key", "POST", "/v1/runtimes", JSON,
         b'{"image": "python3", "\\ud800": 1}', 400, SURROGATE),
    case("D4 lone surrogate in an alias name", "POST", "/v1/aliases", JSON,
         b'{"name": "\\udfff", "function_id": "f"}', 400, SURROGATE),
    case("D5 bad gzip body", "POST", "/v1/runtimes",
         {**JSON, "Content-Encoding": "gzip"}, b"0123456789", 400,
         "Malformed request body: it is not valid gzip data."),
    case("bad deflate body", "POST", "/v1/executions",
         {**JSON, "Content-Encoding": "deflate"}, b"0123456789", 400,
         "Malformed request body: it is not valid deflate data."),
    case("bad gzip multipart body", "POST", "/v1/functions",
         {**MULTIPART, "Content-Encoding": "gzip"}, b"0123456789", 400,
         "Malformed request body: it is not valid gzip data."),
    case("gzip bomb", "POST", "/v1/runtimes", {**JSON, "Content-Encoding": "gzip"},
         gzip.compress(b" " * (16 * MAX_BODY), mtime=0), 413, TOO_LARGE),
    case("unknown content encoding", "POST", "/v1/runtimes",
         {**JSON, "Content-Encoding": "compress"}, b"{}", 415,
         "Unsupported Content-Encoding 'compress': send the body as it is, or compressed with "
         "gzip or deflate."),
    case("brotli content encoding", "POST", "/v1/runtimes",
         {**JSON, "Content-Encoding": "br"}, b"{}", 415,
         # refused by the guard, or by aiohttp's parser (no decoder) before its name is known
         "Unsupported Content-Encoding" + (" 'br'" if HAS_BROTLI else "")
         + ": send the body as it is, or compressed with gzip or deflate."),
    case("non-UTF-8 JSON body", "POST", "/v1/runtimes", JSON, b'{"image": "\xff\xfe"}', 400,
         "Malformed JSON request body."),
    case("oversized JSON body", "POST", "/v1/executions", JSON,
         b'{"input": "' + b"x" * MAX_BODY + b'"}', 413, TOO_LARGE),
    case("oversized multipart text field", "POST", "/v1/functions", MULTIPART,
         form_part("description", b"d" * (MAX_BODY + 1)), 413, TOO_LARGE),
    case("NUL in a path id", "GET", "/v1/functions/a%00b", {}, b"", 400,
         "Invalid URL path: it holds a control character."),
    case("NUL in a path id (DELETE)", "DELETE", "/v1/executions/%00", {}, b"", 400,
         "Invalid URL path: it holds a control character."),
    case("control character in a query value", "GET", "/v1/executions?function_id=a%0bb", {},
         b"", 400, "Invalid query parameter 'function_id': it holds a control character."),
    case("raw non-UTF-8 byte in the path", "GET", b"/v1/functions/\xed\xa0\x80", {}, b"", 400,
         "Malformed HTTP request: Invalid char in url path."),
    case("control character in a header value", "GET", "/v1/runtimes",
         {"X-Custom": b"a\x0bb"}, b"", 400,
         "Malformed HTTP request: Invalid header value char."),
    case("NUL in an Idempotency-Key", "POST", "/v1/executions",
         {**JSON, "Idempotency-Key": b"k\x00"}, b'{"function_id": "f"}', 400,
         "Malformed HTTP request: Invalid header value char."),
    case("control character in a header name", "GET", "/v1/runtimes", {b"X\x0bA": "b"}, b"",
         400, "Malformed HTTP request: Invalid header token."),
]


def as_bytes(text):
    return text if isinstance(text, bytes) else text.encode()


def send(url, method, path, headers, body, declared_length=None):
    """``(status, JSON body)`` of one request sent as these exact bytes."""
    host, port = url.removeprefix("http://").split(":")
    lines = [as_bytes(method) + b" " + as_bytes(path) + b" HTTP/1.1", b"Host: " + host.encode(),
             b"Connection: close",
             b"Content-Length: " + str(declared_length or len(body)).encode()]
    lines += [as_bytes(name) + b": " + as_bytes(value) for name, value in headers.items()]
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            head, _, rest = answer.partition(b"\r\n\r\n")
            if declared_length and rest:  # the gateway waits for the body: read the answer
                break
    head, _, rest = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(rest)


@pytest.fixture
def healthy_afterwards(platform):
    yield
    health = requests.get(f"{platform.url}/healthz", timeout=30)
    assert health.status_code == 200, health.text


@pytest.mark.parametrize("method,path,headers,body,status,message", CASES)
def test_hostile_request_is_refused(platform, healthy_afterwards, method, path, headers, body,
                                    status, message):
    assert send(platform.url, method, path, headers, body) == (status, {"faultstring": message})


@pytest.mark.parametrize("path,content_type,message", [
    ("/v1/runtimes", "application/json", TOO_LARGE),
    ("/v1/functions", "multipart/form-data; boundary=b",
     f"Package exceeds the maximum size of {MAX_PACKAGE} bytes.")])
def test_a_huge_declared_length_is_refused_before_the_body(platform, healthy_afterwards,
                                                           path, content_type, message):
    """A 100 GB ``Content-Length`` with no body sent: answered at once, from the headers."""
    answer = send(platform.url, "POST", path, {"Content-Type": content_type}, b"",
                  declared_length=100 * 10 ** 9)
    assert answer == (413, {"faultstring": message})


# -- D2 and odd text that reaches the services ------------------------------------------

def test_deep_json_in_an_execution_input_is_a_400(api, hello_function_id, healthy_afterwards):
    """D2: ``"input": "[[[...3000 deep...]]]"``; the service parses it with ``jsontext``."""
    for sync in (True, False):
        response = api.post("/v1/executions", json={
            "function_id": hello_function_id, "sync": sync, "input": DEEP_TEXT})
        assert response.status_code == 400, response.text
        assert response.json() == {"faultstring": "Invalid input: JSON nesting too deep "
                                                  f"(max {jsontext.MAX_DEPTH})."}


def test_deep_json_in_a_function_code_is_a_400(api, runtime_id, healthy_afterwards):
    """D2: ``code='[[[...]]]'`` on ``POST /v1/functions`` (a form field)."""
    response = api.post("/v1/functions", data={"code": DEEP_TEXT, "runtime_id": runtime_id})
    assert response.status_code == 400, response.text
    assert response.json() == {
        "faultstring": f"Invalid code: JSON nesting too deep (max {jsontext.MAX_DEPTH})."}


def test_a_lone_surrogate_past_the_gateway_is_a_400(platform, runtime_id, healthy_afterwards,
                                                    docker_engine):
    """A form field decoded with a charset that yields a lone surrogate reaches the function
    service, whose database layer refuses it (``qinling_nameko.storable_text``)."""
    code = form_part("code", b'{"source": "image", "image": "i"}')[:-len(b"--b--\r\n")]
    name = multipart(b'Content-Disposition: form-data; name="name"\r\n'
                     b"Content-Type: text/plain; charset=raw_unicode_escape", b"\\ud800")
    answer = send(platform.url, "POST", "/v1/functions", MULTIPART, code + name)
    assert answer == (400, {"faultstring": "Invalid input: text must be valid Unicode (it holds "
                                           "a lone surrogate)."})


def test_the_platform_still_serves_after_the_corpus(api, hello_function_id):
    response = api.execute(hello_function_id, input={"name": "again"})
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "success"
