import asyncio
import socket

import aiohttp
import pytest
from aiohttp import web

from qinling_api.app import create_app
from qinling_api.storage_client import StorageClient, StorageError
from qinling_shared.exceptions import InvalidInput, NotFound, PayloadTooLarge, Unavailable

CHUNK = 256 * 1024
DEADLINE = 5.0


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


@pytest.fixture
async def package_server(aiohttp_server):
    """Serves packages at ``/v1/packages/{key}``: ``gated`` waits for ``server.go`` after its
    first chunk; ``short`` promises more bytes than it sends; others are storage errors."""
    go = asyncio.Event()

    async def get_package(request):
        key = request.match_info["key"]
        if key == "missing":
            return web.json_response({"error": {"type": "NotFound",
                                                "message": "Package not found."}}, status=404)
        if key == "crash":
            return web.Response(status=500, text="Traceback ...")
        response = web.StreamResponse()
        response.content_length = 2 * CHUNK
        await response.prepare(request)
        await response.write(b"a" * CHUNK)
        if key == "short":
            request.transport.close()
            return response
        await go.wait()
        await response.write(b"b" * CHUNK)
        return response

    app = web.Application()
    app.router.add_get("/v1/packages/{key}", get_package)
    server = await aiohttp_server(app)
    server.go = go
    return server


async def test_download_yields_chunks_as_they_arrive(package_server, session):
    client = StorageClient("http://unused", session)
    async with client.download(str(package_server.make_url("/v1/packages/gated"))) as (
            size, chunks):
        assert size == 2 * CHUNK
        first = await asyncio.wait_for(anext(chunks), DEADLINE)  # before the rest exists
        package_server.go.set()
        rest = [chunk async for chunk in chunks]
    assert first + b"".join(rest) == b"a" * CHUNK + b"b" * CHUNK


@pytest.mark.parametrize("key,error,message", [
    ("missing", NotFound, "Package not found."),
    ("crash", StorageError, "Storage service answered HTTP 500."),
])
async def test_download_errors_are_mapped(package_server, session, key, error, message):
    client = StorageClient("http://unused", session)
    with pytest.raises(error) as raised:
        async with client.download(str(package_server.make_url(f"/v1/packages/{key}"))):
            pass
    assert str(raised.value) == message


async def test_download_from_nowhere_is_unavailable(session):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = StorageClient(f"http://127.0.0.1:{port}", session)
    with pytest.raises(Unavailable, match=r"^Storage service is unavailable\.$"):
        async with client.download(f"http://127.0.0.1:{port}/v1/packages/k"):
            pass


async def test_gateway_streams_a_download_without_buffering_it(
        package_server, aiohttp_client, settings, rpc):
    """The client gets the first chunk while the storage service still holds the rest."""
    rpc.answer("function", "get_package_url", str(package_server.make_url("/v1/packages/gated")))
    gateway = await aiohttp_client(create_app(settings, rpc=rpc))
    response = await gateway.get("/v1/functions/f1?download=true")
    assert response.status == 200 and response.content_length == 2 * CHUNK
    first = await asyncio.wait_for(response.content.readexactly(CHUNK), DEADLINE)
    package_server.go.set()
    assert first + await response.read() == b"a" * CHUNK + b"b" * CHUNK


async def test_gateway_breaks_off_a_download_the_storage_broke_off(
        package_server, aiohttp_client, settings, rpc, caplog):
    rpc.answer("function", "get_package_url", str(package_server.make_url("/v1/packages/short")))
    gateway = await aiohttp_client(create_app(settings, rpc=rpc))
    response = await gateway.get("/v1/functions/f1?download=true")
    assert response.status == 200
    with pytest.raises(aiohttp.ClientPayloadError):
        await response.read()  # truncated, never presented as a whole package
    assert "response broken off" in caplog.text
