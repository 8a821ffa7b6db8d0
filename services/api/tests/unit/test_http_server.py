"""Requests aiohttp's parser refuses get Qinling's fault body too (``http_server``), over a
real socket: the app's middlewares never see them."""
import asyncio
import json
import logging
import socket

import pytest

from qinling_api import http_server
from qinling_api.app import create_app


@pytest.fixture
async def port(settings, rpc, storage):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    task = asyncio.create_task(http_server.serve(
        create_app(settings, rpc=rpc, storage=storage), "127.0.0.1", free))
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", free)
            writer.close()
            break
        except OSError:
            assert asyncio.get_running_loop().time() < deadline, "the server did not start"
            await asyncio.sleep(0.01)
    yield free
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def exchange(port, raw):
    """``(status, headers text, body)`` of the answer to the bytes ``raw``."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    answer = await asyncio.wait_for(reader.read(), 10)  # the connection is closed after it
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), head.decode("latin-1"), body


@pytest.mark.parametrize("raw,message", [
    (b"GET /v1/runtimes HTTP/1.1\r\nHost: x\r\nX-A: a\x0bb\r\n\r\n",
     "Malformed HTTP request: Invalid header value char."),
    (b"GET /v1/runtimes HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
     "Malformed HTTP request: Invalid header value char."),
    (b"GET /v1/runtimes HTTP/1.1\r\nHost: x\r\nX\x0bA: b\r\n\r\n",
     "Malformed HTTP request: Invalid header token."),
    (b"GET /v1/runtimes/a\xff HTTP/1.1\r\nHost: x\r\n\r\n",
     "Malformed HTTP request: Invalid char in url path."),
])
async def test_parser_refusals_are_faults(port, rpc, raw, message):
    status, head, body = await exchange(port, raw)
    assert status == 400
    assert "application/json" in head
    assert json.loads(body) == {"faultstring": message}
    assert rpc.calls == []


async def test_an_encoding_without_its_decoder_is_a_415(port, rpc):
    status, _, body = await exchange(port, b"POST /v1/runtimes HTTP/1.1\r\nHost: x\r\n"
                                           b"Content-Encoding: zstd\r\nContent-Length: 2\r\n"
                                           b"Connection: close\r\n\r\n{}")
    assert status == 415
    assert json.loads(body)["faultstring"].startswith("Unsupported Content-Encoding")
    assert rpc.calls == []


async def test_a_body_that_does_not_decode_logs_no_traceback(port, rpc, caplog):
    status, head, body = await exchange(port, b"POST /v1/runtimes HTTP/1.1\r\nHost: x\r\n"
                                              b"Content-Encoding: gzip\r\n"
                                              b"Content-Length: 10\r\n\r\n0123456789")
    assert (status, json.loads(body)) == (
        400, {"faultstring": "Malformed request body: it is not valid gzip data."})
    assert "Connection: close" in head
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_app_answers_as_usual(port, rpc):
    rpc.answer("execution", "get_runtime", {"id": "r1"})
    status, _, body = await exchange(
        port, b"GET /v1/runtimes/r1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert (status, json.loads(body)) == (200, {"id": "r1"})


@pytest.mark.parametrize("message,text", [
    ("Invalid header value char:\n\n  b'X: \\x0b'\n ^", "Malformed HTTP request: Invalid "
                                                       "header value char."),
    ("", "Malformed HTTP request."), (None, "Malformed HTTP request."),
    ("Got more than 8190 bytes when reading", "Malformed HTTP request: Got more than 8190 "
                                              "bytes when reading."),
])
def test_parse_error_message(message, text):
    assert http_server.parse_error_message(message) == text
