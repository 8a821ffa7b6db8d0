"""``GET /healthz``: 200 when the broker, etcd and every service answer, else 503."""
from aiohttp import web

from qinling_api import health
from qinling_api.keys import context_key, etcd_ssl_key, http_key, rpc_key, settings_key


async def healthz(request):
    """``{"status": "ok", "checks": {"broker": {"status": "ok"}, "function": {...}, ...}}``"""
    app = request.app
    report = await health.run_checks(app[rpc_key], app[http_key], app[settings_key].etcd_url,
                                     request[context_key], app[etcd_ssl_key])
    return web.json_response(report, status=200 if report["status"] == health.OK else 503)
