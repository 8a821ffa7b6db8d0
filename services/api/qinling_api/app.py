"""The app factory: the only place where the gateway is wired together."""
import aiohttp
from aiohttp import web

from qinling_api import health
from qinling_api.http_metrics import GatewayMetrics, metrics_key, metrics_middleware
from qinling_api.identity import NoKeystone
from qinling_api.keys import (etcd_ssl_key, http_key, identity_key, rpc_key, settings_key,
                              storage_key)
from qinling_api.middlewares import context_middleware, error_middleware
from qinling_api.request_guard import request_guard_middleware
from qinling_api.routes import setup_routes
from qinling_api.rpc import RpcClient
from qinling_api.storage_client import StorageClient

# clients may add a trailing slash or double a slash: redirect (308) to the route
# (POST /v1//aliases, which tempest sends, has its own route: see routes.py)
normalize_path = web.normalize_path_middleware(
    append_slash=False, remove_slash=True, merge_slashes=True)


def create_app(settings, rpc=None, storage=None, identity=None):
    """The gateway; ``rpc``/``storage`` replace the real clients (tests), else they connect.
    ``identity`` says who a request acts as (``qinling_api.identity``; default: no Keystone)."""
    app = web.Application(middlewares=[metrics_middleware, context_middleware, error_middleware,
                                       request_guard_middleware, normalize_path],
                          client_max_size=settings.max_body_size)
    app[metrics_key] = GatewayMetrics()
    app[settings_key] = settings
    app[identity_key] = identity or NoKeystone()
    app[etcd_ssl_key] = health.etcd_ssl(settings)
    app.cleanup_ctx.append(rpc_context(rpc))
    app.cleanup_ctx.append(http_context(storage))
    setup_routes(app)
    return app


def rpc_context(rpc):
    async def context(app):
        if rpc is not None:
            app[rpc_key] = rpc
            yield
            return
        settings = app[settings_key]
        client = RpcClient(settings.amqp_uri, timeout=settings.rpc_response_timeout)
        client.start()  # the gateway serves (503s) while the broker is still unreachable
        app[rpc_key] = client
        yield
        await client.close()
    return context


def http_context(storage):
    async def context(app):
        async with aiohttp.ClientSession() as session:
            app[http_key] = session
            app[storage_key] = storage or StorageClient(app[settings_key].storage_url, session)
            yield
    return context
