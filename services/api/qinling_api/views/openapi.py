"""The API's own description: the OpenAPI document and its HTML reference page, both made
once when the app is (``routes.setup_routes``); no authentication, like ``/``."""
from aiohttp import web

from qinling_api.keys import api_reference_key, openapi_key


async def openapi_document(request):
    """``GET /v1/openapi.json`` → the OpenAPI 3.1 document of the v1 API."""
    return web.json_response(request.app[openapi_key])


async def api_reference(request):
    """``GET /v1/api-ref`` → the document as a readable, self-contained HTML page."""
    return web.Response(text=request.app[api_reference_key], content_type="text/html")
