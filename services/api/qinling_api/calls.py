"""RPC calls made on behalf of a request: its caller's tenancy travels as context data."""
from qinling_api.keys import context_key, rpc_key
from qinling_shared import listing


async def call(request, service, method, *args, **kwargs):
    """``service.method(*args, **kwargs)`` over RPC, as the request's caller (``timeout``
    among ``kwargs`` overrides the RPC client's default)."""
    return await request.app[rpc_key].call(service, method, *args,
                                           context=request[context_key], **kwargs)


async def listed(request, service, method):
    """The service's list for the request's query string (filters, paging, all_projects)."""
    return await call(request, service, method, listing.parse(request.query))
