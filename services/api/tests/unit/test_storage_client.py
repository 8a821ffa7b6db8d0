import socket

import aiohttp
import pytest
from aiohttp import web

from qinling_api.storage_client import StorageClient, StorageError
from qinling_shared.exceptions import InvalidInput, PayloadTooLarge, Unavailable


@pytest.fixture
async def storage_server(aiohttp_server):
    """A stand-in for the storage service's package endpoint."""
    seen = {}

    async def put_package(request):
        seen["query"] = dict(request.query)
        seen["chunked"] = request.headers.get("Transfer-Encoding") == "chunked"
        data = await request.read()
        if data == b"bad":
            return web.json_response({"error": {"type": "InvalidInput",
                                                "message": "Package is not a valid ZIP package."}},
                                     status=400)
        if data == b"big":
            return web.json_response({"error": {"type": "PayloadTooLarge",
                                                "message": "Package is too large."}}, status=413)
        if data == b"crash":
            return web.Response(status=500, text="Traceback ...")
        return web.json_response({"key": "k1", "md5sum": "m", "sha256": "s",
                                  "size": len(data)}, status=201)

    app = web.Application()
    app.router.add_put("/v1/packages", put_package)
    server = await aiohttp_server(app)
    server.seen = seen
    return server


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as session:
        yield session


async def chunks_of(*parts):
    for part in parts:
        yield part


async def test_upload_streams_chunked(storage_server, session):
    client = StorageClient(str(storage_server.make_url("/")), session)
    stored = await client.upload("p1", chunks_of(b"PK", b"\x03\x04", b"rest"))
    assert stored == {"key": "k1", "md5sum": "m", "sha256": "s", "size": 8}
    assert storage_server.seen == {"query": {"project_id": "p1"}, "chunked": True}


@pytest.mark.parametrize("data,error,message", [
    (b"bad", InvalidInput, "Package is not a valid ZIP package."),
    (b"big", PayloadTooLarge, "Package is too large."),
    (b"crash", StorageError, "Storage service answered HTTP 500."),
])
async def test_storage_errors_are_mapped(storage_server, session, data, error, message):
    client = StorageClient(str(storage_server.make_url("/")), session)
    with pytest.raises(error) as raised:
        await client.upload("p1", chunks_of(data))
    assert str(raised.value) == message


async def test_connection_refused_is_unavailable(session):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = StorageClient(f"http://127.0.0.1:{port}", session)
    with pytest.raises(Unavailable, match=r"^Storage service is unavailable\.$"):
        await client.upload("p1", chunks_of(b"x"))
