import socket

from aiohttp import web

from qinling_api.app import create_app


async def test_the_gateway_answers_with_tcp_nodelay(aiohttp_client, settings, rpc, storage):
    """aiohttp disables Nagle on accepted connections: without that a reply waits ~40 ms."""
    async def nodelay(request):
        sock = request.transport.get_extra_info("socket")
        return web.json_response(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    app = create_app(settings, rpc=rpc, storage=storage)
    app.router.add_get("/_nodelay", nodelay)
    client = await aiohttp_client(app)
    assert await (await client.get("/_nodelay")).json() == 1
