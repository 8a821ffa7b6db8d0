"""Liveness of everything the gateway depends on, checked concurrently for /healthz: the
broker, etcd, and each service (a consumer on each of its queues, and an answer to
``ping``)."""
import asyncio
import ssl

import aiohttp

from qinling_shared import queues
from qinling_shared.exceptions import QinlingError

SERVICES = ("function", "execution", "trigger", "storage")
PING_TIMEOUT = 2.0
ETCD_TIMEOUT = aiohttp.ClientTimeout(total=1.0)
OK = "ok"
UNAVAILABLE = "unavailable"


def failed(message):
    return {"status": UNAVAILABLE, "error": message}


def overall_status(checks):
    return OK if all(check["status"] == OK for check in checks.values()) else UNAVAILABLE


async def broker(rpc):
    return {"status": OK} if rpc.connected else failed("Not connected to the message broker.")


def etcd_ssl(settings):
    """What the health check of etcd passes as aiohttp's ``ssl``: over https, a TLS context
    with the ``[etcd]`` CA (else the system's) and client certificate; ``True`` (aiohttp's
    default) over http."""
    if not settings.etcd_url.startswith("https:"):
        return True
    context = ssl.create_default_context(cafile=settings.etcd_ca_cert)
    if settings.etcd_cert_file:
        context.load_cert_chain(settings.etcd_cert_file, settings.etcd_cert_key)
    return context


async def etcd(session, etcd_url, etcd_ssl=True):
    try:
        async with session.get(f"{etcd_url}/health", timeout=ETCD_TIMEOUT,
                               ssl=etcd_ssl) as response:
            body = await response.json(content_type=None) if response.status == 200 else {}
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return failed(f"etcd does not answer at {etcd_url}.")
    if isinstance(body, dict) and body.get("health") == "true":
        return {"status": OK}
    return failed("etcd reports that it is unhealthy.")


def service_queues(name):
    """The queues ``name`` consumes: its RPC queue, and for the execution service its
    execution queue (asynchronous executions)."""
    own = (queues.EXECUTION_QUEUE,) if name == "execution" else ()
    return (queues.rpc_queue(name), *own)


async def service(rpc, name, context):
    """The service's ping answer, with the consumers of each of its queues; ``unavailable``
    when one of them has no consumer (a process alive but deaf), without pinging it, since a
    ping would only wait in the queue."""
    watched = service_queues(name)
    counts = await asyncio.gather(*(consumer_count(rpc, queue) for queue in watched))
    for queue, consumers in zip(watched, counts):
        if consumers == 0:
            return failed(f"Service '{name}' is unavailable: no consumer on queue {queue}.")
    answer = await ping(rpc, name, context)
    known = {queue: count for queue, count in zip(watched, counts) if count is not None}
    if known and answer["status"] == OK:
        answer = {**answer, "consumers": known}
    return answer


async def consumer_count(rpc, queue):
    """Consumers of ``queue`` now, or ``None`` when that cannot be told (no such queue, or
    the broker does not answer: the ping then reports why)."""
    try:
        counts = await asyncio.wait_for(rpc.queue_counts(queue), PING_TIMEOUT)
    except Exception:  # noqa: B902 - a health check reports failures, it does not raise them
        return None
    return None if counts is None else counts[1]


async def ping(rpc, name, context):
    try:
        answer = await rpc.call(name, "ping", context=context, timeout=PING_TIMEOUT)
    except QinlingError as exc:
        return failed(str(exc))
    except Exception as exc:  # a health check reports failures, it does not raise them
        return failed(f"Service '{name}' failed its ping ({type(exc).__name__}).")
    if not isinstance(answer, dict) or answer.get("status") != OK:
        return failed(f"Service '{name}' is not healthy.")
    return answer


async def run_checks(rpc, session, etcd_url, context, etcd_ssl=True):
    """``{"status": "ok"|"unavailable", "checks": {name: {"status", ["error"], ...}}}``;
    ``etcd_ssl``: see :func:`etcd_ssl`."""
    names = ("broker", "etcd", *SERVICES)
    results = await asyncio.gather(
        broker(rpc), etcd(session, etcd_url, etcd_ssl),
        *(service(rpc, name, context) for name in SERVICES))
    checks = dict(zip(names, results))
    return {"status": overall_status(checks), "checks": checks}
