"""Metrics of a Nameko service for the gateway's ``GET /metrics`` (prometheus-client).

Each service process keeps one registry, :data:`REGISTRY` (not prometheus-client's global
default, so that nothing a library registers there leaks into the exposition). A service's own
metrics register on it at import. Every service class inherits :class:`ServesMetrics`, which
adds the ``metrics`` RPC method (this process's metric families as plain data, which the
gateway merges at scrape time) and times every entrypoint call. Counting is in memory only:
no I/O on any call path.
"""
import functools
import time
import weakref

from nameko.extensions import DependencyProvider
from prometheus_client import (CollectorRegistry, Counter, Histogram, ProcessCollector,
                               disable_created_metrics)

from qinling_nameko.rpc import rpc
from qinling_shared.exceptions import QinlingError
from qinling_shared.metric_samples import to_wire

disable_created_metrics()  # no ``*_created`` series: they would double the exposition
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

# entrypoint calls take from a millisecond (a cached read) to minutes (a synchronous execution)
CALL_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
                60, 300)
OK, REFUSED, ERROR = "ok", "refused", "error"

CALLS = Counter(
    "qinling_service_calls", "Entrypoint calls (RPC methods, event handlers, timers, the "
    "execution queue's consumer) this service ended, by entrypoint and outcome: ok, refused (a "
    "wire error below HTTP 500, e.g. not found) or error (anything else).",
    ["entrypoint", "outcome"], registry=REGISTRY)
CALL_SECONDS = Histogram(
    "qinling_service_call_duration_seconds", "Time this service spent in an entrypoint call.",
    ["entrypoint"], buckets=CALL_BUCKETS, registry=REGISTRY)


def outcome_of(exc_info):
    """``ok``, ``refused`` (a wire error a client caused) or ``error`` of an entrypoint call."""
    if exc_info is None:
        return OK
    exc = exc_info[1]
    if isinstance(exc, QinlingError) and exc.http_status < 500:
        return REFUSED
    return ERROR


def collected(registry=REGISTRY):
    """The registry's families in the wire shape of ``qinling_shared.metric_samples``."""
    return to_wire(registry.collect())


class CallMetrics(DependencyProvider):
    """Counts and times every entrypoint call of its container (not injected: observes only)."""

    def __init__(self, clock=time.perf_counter):
        super().__init__()
        self.clock = clock
        self._started = weakref.WeakKeyDictionary()  # worker context -> clock() at its setup

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = self.clock()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        calls, seconds = _children(worker_ctx.entrypoint.method_name, outcome_of(exc_info))
        calls.inc()
        if started is not None:
            seconds.observe(self.clock() - started)


@functools.cache
def _children(entrypoint, outcome):
    """The labelled counter and histogram of a call (bounded: the service's entrypoints times
    three outcomes), kept so that a call costs no label lookup."""
    return CALLS.labels(entrypoint, outcome), CALL_SECONDS.labels(entrypoint)


class ServesMetrics:
    """Inherited by every Qinling service class: ``metrics`` over RPC, calls counted."""

    call_metrics = CallMetrics()

    @rpc
    def metrics(self):
        """This process's metric families (``qinling_shared.metric_samples``), which the
        gateway merges into ``GET /metrics``."""
        return collected()
