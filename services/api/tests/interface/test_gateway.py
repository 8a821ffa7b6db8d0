"""The app with its real RPC client (connected by the app itself) over a real broker."""
from broker import amqp_uri, wait_until_serving
from qinling_api.app import create_app
from qinling_api.keys import rpc_key
from qinling_api.settings import Settings


async def test_gateway_maps_a_real_services_errors_and_health(
        aiohttp_client, vhost, start_service):
    start_service("execution")
    app = create_app(Settings(amqp_uri=amqp_uri(vhost), etcd_url="http://127.0.0.1:1"))
    client = await aiohttp_client(app)
    await wait_until_serving(app[rpc_key], "execution")

    response = await client.get("/v1/executions/e1")
    assert response.status == 404
    assert await response.json() == {"faultstring": "Execution not found [id=e1]"}

    response = await client.get("/healthz")
    assert response.status == 503
    checks = (await response.json())["checks"]
    assert checks["broker"] == {"status": "ok"}
    assert checks["execution"] == {"service": "execution", "status": "ok",
                                   "consumers": {"rpc-execution": 1}}
    assert checks["function"] == {"status": "unavailable",
                                  "error": "Service 'function' is not running."}
