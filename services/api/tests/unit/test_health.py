import pytest
from aiohttp import web

from qinling_api.app import create_app
from qinling_api.openapi import document
from qinling_api.settings import Settings
from qinling_shared.exceptions import Unavailable
from qinling_testing import contract

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


def count_consumers(rpc, consumers):
    """Give the fake RPC client the broker's answer to a passive declare: ``consumers`` maps
    a queue to its consumer count (a queue not in it does not exist)."""
    async def queue_counts(queue):
        return None if queue not in consumers else (0, consumers[queue])
    rpc.queue_counts = queue_counts


def all_queues(count):
    return {f"rpc-{name}": count for name in SERVICES} | {"qinling-executions-run": count}


async def test_a_service_without_a_consumer_on_its_queue_is_unavailable_without_a_ping(
        health_client, rpc):
    count_consumers(rpc, all_queues(1) | {"rpc-execution": 0})
    response = await health_client.get("/healthz")
    assert response.status == 503
    checks = (await response.json())["checks"]
    assert checks["execution"] == {
        "status": "unavailable",
        "error": "Service 'execution' is unavailable: no consumer on queue rpc-execution."}
    assert checks["function"] == {"service": "function", "status": "ok",
                                  "consumers": {"rpc-function": 1}}
    assert not rpc.calls_to("execution", "ping")  # it would only wait in the queue


async def test_an_execution_service_deaf_to_its_execution_queue_is_unavailable(
        health_client, rpc):
    count_consumers(rpc, all_queues(1) | {"qinling-executions-run": 0})
    response = await health_client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["checks"]["execution"] == {
        "status": "unavailable", "error": "Service 'execution' is unavailable: no consumer "
                                          "on queue qinling-executions-run."}


async def test_consumers_are_reported_beside_the_ping(health_client, rpc):
    count_consumers(rpc, all_queues(2))
    body = await (await health_client.get("/healthz")).json()
    assert body["status"] == "ok"
    assert body["checks"]["execution"]["consumers"] == {"rpc-execution": 2,
                                                        "qinling-executions-run": 2}
    assert {body["checks"][name]["consumers"][f"rpc-{name}"] for name in SERVICES} == {2}
    assert contract.problems(document.build(), "GET", "/healthz", 200, "application/json",
                             body) == []


async def test_a_failed_consumer_probe_leaves_the_verdict_to_the_ping(health_client, rpc):
    async def broken(queue):
        raise ConnectionError("broker gone")
    rpc.queue_counts = broken
    rpc.answer("storage", "ping", Unavailable("Service 'storage' is not running."))
    body = await (await health_client.get("/healthz")).json()
    assert body["checks"]["storage"] == {"status": "unavailable",
                                         "error": "Service 'storage' is not running."}
    assert body["checks"]["function"] == {"service": "function", "status": "ok"}
