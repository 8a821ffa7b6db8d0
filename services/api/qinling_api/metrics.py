"""``GET /metrics``: the platform's metrics in the Prometheus text format, for operators.

At each scrape the gateway asks every Nameko service for its metric families (the ``metrics``
RPC method, ``qinling_nameko.metrics``; plain data, ``qinling_shared.metric_samples``) and
probes the broker's queues (a passive declare: messages ready and consumers), all
concurrently, then merges them with its own registry
(``metrics_merge``): a service's samples carry ``service="<name>"``, the gateway's
``service="api"``. A service that does not answer is ``qinling_service_up{service} 0``, never
an error: a scrape answers 200 whatever is down.
"""
import asyncio
import logging

from aiohttp import web
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from qinling_api import metrics_merge
from qinling_api.health import SERVICES
from qinling_api.http_metrics import metrics_key
from qinling_api.keys import context_key, rpc_key
from qinling_shared.metric_samples import from_wire
from qinling_shared.queues import EXECUTION_QUEUE, rpc_queue

LOG = logging.getLogger(__name__)

GATEWAY = "api"
SCRAPE_TIMEOUT = 2.0
QUEUES = (*(rpc_queue(service) for service in SERVICES), EXECUTION_QUEUE)


async def service_families(rpc, service, context):
    """The metric families ``service`` reports, or ``None`` when it does not answer in time
    with families in the wire shape of ``qinling_shared.metric_samples``."""
    try:
        data = await rpc.call(service, "metrics", context=context, timeout=SCRAPE_TIMEOUT)
        return from_wire(data)
    except Exception as exc:  # a scrape reports a service that fails, it does not fail
        LOG.info("no metrics from service %s: %r", service, exc)
        return None


async def queue_counts(rpc, queue):
    """``(messages ready, consumers)`` of ``queue``, or ``None`` (missing, or no broker)."""
    try:
        async with asyncio.timeout(SCRAPE_TIMEOUT):
            return await rpc.queue_counts(queue)
    except Exception as exc:  # noqa: B902 - reported as a missing sample
        LOG.info("could not probe queue %s: %r", queue, exc)
        return None


def platform_families(connected, answered, counts):
    """The gauges the gateway measures at scrape time: broker connection, services up,
    messages and consumers per queue (``answered``: {service: bool}; ``counts``: {queue:
    (messages, consumers) or None})."""
    broker = GaugeMetricFamily("qinling_broker_connected",
                               "1 when the gateway is connected to the message broker.")
    broker.add_metric([], 1 if connected else 0)
    up = GaugeMetricFamily("qinling_service_up", "1 when the service answered this scrape's "
                           "metrics call in time, else 0.", labels=["service"])
    messages = GaugeMetricFamily("qinling_queue_messages", "Messages ready in a queue (not "
                                 "counting those a consumer holds).", labels=["queue"])
    consumers = GaugeMetricFamily("qinling_queue_consumers", "Consumers connected to a queue "
                                  "(Nameko service replicas).", labels=["queue"])
    for service, ok in answered.items():
        up.add_metric([service], 1 if ok else 0)
    for queue, count in counts.items():
        if count is not None:
            messages.add_metric([queue], count[0])
            consumers.add_metric([queue], count[1])
    return [broker, up, messages, consumers]


async def scrape(gateway_metrics, rpc, context):
    """Every family of this scrape, merged (see the module docstring)."""
    reported, counts = await asyncio.gather(
        asyncio.gather(*(service_families(rpc, name, context) for name in SERVICES)),
        asyncio.gather(*(queue_counts(rpc, queue) for queue in QUEUES)))
    families = platform_families(
        rpc.connected, {name: found is not None for name, found in zip(SERVICES, reported)},
        dict(zip(QUEUES, counts)))
    families += metrics_merge.labelled(gateway_metrics.registry.collect(), GATEWAY)
    for name, found in zip(SERVICES, reported):
        families += metrics_merge.labelled(found or [], name)
    merged, conflicts = metrics_merge.merge(families)
    if conflicts:
        LOG.warning("metric families of conflicting types left out: %s", sorted(set(conflicts)))
    return merged


async def serve_metrics(request):
    """``GET /metrics``: text/plain, Prometheus exposition format 0.0.4."""
    families = await scrape(request.app[metrics_key], request.app[rpc_key], request[context_key])
    return web.Response(body=metrics_merge.render(families),
                        headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4})
