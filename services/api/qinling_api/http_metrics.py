"""The gateway's own metrics: HTTP requests by route, method and status, and their latency.

The route label is the route's template (``/v1/functions/{id}``), never the raw path, so the
label values are bounded by the URL table; a request that matches no route is ``unmatched``.
The middleware only counts in memory (a counter and a histogram per request): no I/O, and the
labelled children are kept per label values, so a request costs no label lookup either.
"""
import asyncio
import time

from aiohttp import web
from prometheus_client import (CollectorRegistry, Counter, Histogram, ProcessCollector,
                               disable_created_metrics)

disable_created_metrics()  # no ``*_created`` series: they would double the exposition
UNMATCHED = "unmatched"
OTHER_METHOD = "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CLIENT_CLOSED = 499  # nginx's status for a client that went away before the answer
# synchronous executions answer in anything from milliseconds to minutes
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
                   60, 300)


def route_label(match_info):
    """The template of the route a request matched, or ``unmatched`` (404, 405)."""
    resource = match_info.route.resource
    return UNMATCHED if resource is None else resource.canonical


def method_label(method):
    """The HTTP method, or ``other`` for a method no route knows (bounded values)."""
    return method if method in METHODS else OTHER_METHOD


class GatewayMetrics:
    """The gateway's registry (one per app, so tests start from zero) and its metrics."""

    def __init__(self):
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "qinling_http_requests", "HTTP requests the gateway answered, by route template, "
            "method and status.", ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram(
            "qinling_http_request_duration_seconds", "Time from a request's routing to its "
            "answer, by route template and method.", ["route", "method"],
            buckets=LATENCY_BUCKETS, registry=self.registry)
        self._children = {}  # (route, method, status) -> (its counter, its histogram)

    def observe(self, route, method, status, seconds):
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (self.requests.labels(route, method, str(status)),
                                              self.latency.labels(route, method))
        children[0].inc()
        children[1].observe(seconds)


metrics_key = web.AppKey("metrics", GatewayMetrics)


@web.middleware
async def metrics_middleware(request, handler):
    """Counts and times every request with the status it was answered with (the outermost
    middleware, so errors turned into faults and redirects count with their status)."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = CLIENT_CLOSED
        raise
    finally:
        request.app[metrics_key].observe(
            route_label(request.match_info), method_label(request.method), status,
            time.perf_counter() - started)
