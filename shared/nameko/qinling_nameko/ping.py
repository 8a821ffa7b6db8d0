"""Liveness over RPC: each service's ``ping`` entrypoint answers ``pong(...)``; the gateway's
``/healthz`` calls it."""


def pong(service, **facts):
    """``{"service": <name>, "status": "ok", **facts}``: ``facts`` are what the service
    reports beside its liveness (e.g. the execution service's orchestrator probe)."""
    return {"service": service, "status": "ok", **facts}

