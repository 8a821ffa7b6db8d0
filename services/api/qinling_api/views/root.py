"""Version discovery, as Qinling answered it (no authentication)."""
from aiohttp import web


def base_url(request):
    """Qinling's ``app_url``: the scheme and host the client used."""
    return f"{request.scheme}://{request.host}"


async def versions(request):
    """``GET /`` → ``{"versions": [{"id": "v1.0", "status": "CURRENT", "links": [...]}]}``"""
    link = {"href": f"{base_url(request)}/v1", "target": "v1", "rel": "self"}
    return web.json_response(
        {"versions": [{"id": "v1.0", "status": "CURRENT", "links": [link]}]})


async def v1(request):
    """``GET /v1/`` → ``{"uri": "http://host:7070/v1"}``"""
    return web.json_response({"uri": f"{base_url(request)}/v1"})
