import pytest
from aiohttp import web

from qinling_api.app import create_app
from qinling_api.settings import Settings
from qinling_shared.exceptions import Unavailable

SERVICES = ("function", "execution", "trigger", "storage")


@pytest.fixture
async def etcd(aiohttp_server):
    """A stand-in for etcd's /health; ``state["health"]`` is what it reports."""
    state = {"health": "true"}

    async def health(request):
        return web.json_response({"health": state["health"]})

    app = web.Application()
    app.router.add_get("/health", health)
    server = await aiohttp_server(app)
    server.state = state
    return server


@pytest.fixture
async def health_client(aiohttp_client, etcd, rpc, storage):
    for name in SERVICES:
        rpc.answer(name, "ping", {"service": name, "status": "ok"})
    settings = Settings(etcd_url=str(etcd.make_url("")).rstrip("/"))
    return await aiohttp_client(create_app(settings, rpc=rpc, storage=storage))


async def test_everything_up_is_200(health_client, rpc):
    response = await health_client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    assert body["checks"]["broker"] == {"status": "ok"}
    assert body["checks"]["etcd"] == {"status": "ok"}
    for name in SERVICES:
        assert body["checks"][name] == {"service": name, "status": "ok"}
    assert sorted(c.service for c in rpc.calls) == sorted(SERVICES)
    assert all(c.method == "ping" and c.timeout == 2.0 for c in rpc.calls)


async def test_a_service_down_is_a_503_naming_it(health_client, rpc):
    message = "Service 'trigger' is unavailable: no consumer on queue rpc-trigger."
    rpc.answer("trigger", "ping", Unavailable(message))
    response = await health_client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["trigger"] == {"status": "unavailable", "error": message}
    assert body["checks"]["function"]["status"] == "ok"


async def test_a_crashing_ping_is_reported_not_raised(health_client, rpc):
    rpc.answer("storage", "ping", RuntimeError("secret"))
    body = await (await health_client.get("/healthz")).json()
    assert body["checks"]["storage"] == {
        "status": "unavailable", "error": "Service 'storage' failed its ping (RuntimeError)."}


async def test_unhealthy_etcd_is_a_503(health_client, etcd):
    etcd.state["health"] = "false"
    response = await health_client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["checks"]["etcd"] == {
        "status": "unavailable", "error": "etcd reports that it is unhealthy."}


async def test_unreachable_etcd_is_a_503(aiohttp_client, rpc, storage, settings):
    for name in SERVICES:
        rpc.answer(name, "ping", {"service": name, "status": "ok"})
    client = await aiohttp_client(create_app(settings, rpc=rpc, storage=storage))
    response = await client.get("/healthz")
    assert response.status == 503
    check = (await response.json())["checks"]["etcd"]
    assert check == {"status": "unavailable",
                     "error": "etcd does not answer at http://127.0.0.1:1."}


async def test_broker_not_connected_is_a_503(health_client, rpc):
    rpc.connected = False
    response = await health_client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["checks"]["broker"] == {
        "status": "unavailable", "error": "Not connected to the message broker."}
