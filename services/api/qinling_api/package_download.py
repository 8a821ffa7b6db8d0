"""``?download=true`` of a function or a version: the zip, streamed from the storage service.

The function service signs a short-lived URL (``function.get_package_url``); the gateway reads
it chunk by chunk and writes each chunk to the client, so a package is never whole in memory.
"""
from aiohttp import web

from qinling_api.calls import call
from qinling_api.keys import storage_key

CONTENT_TYPE = "application/zip"


async def send(request, function_id, version, filename):
    """Stream the package of ``function_id`` at ``version`` (0: the live code) as an
    attachment named ``filename``; service errors (404, image → 405) come before any byte."""
    url = await call(request, "function", "get_package_url", function_id, version)
    async with request.app[storage_key].download(url) as (size, chunks):
        response = web.StreamResponse(headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})
        response.content_type = CONTENT_TYPE
        if size is not None:
            response.content_length = size
        await response.prepare(request)
        async for chunk in chunks:
            await response.write(chunk)
        await response.write_eof()
    return response
