"""The execution service's metrics, on its process registry (``qinling_nameko.metrics``).

Counters move where the thing happens (an execution ends, a run needs a new worker, the
consumer takes a message); the workers per runtime are read from placement and the warm pool
when the gateway scrapes (``metrics`` RPC). Everything is in memory: nothing here does I/O.
"""
import collections

from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

from qinling_nameko.metrics import REGISTRY

EXECUTIONS = Counter(
    "qinling_executions", "Executions that ended, by the status they ended with (success, "
    "failed, error, cancelled); counted once per execution, by the replica that recorded it.",
    ["status"], registry=REGISTRY)
COLD_STARTS = Counter(
    "qinling_cold_starts", "Workers a run had to wait for: bound from the warm pool or started, "
    "because no worker of the function version had spare load.",
    ["runtime_id"], registry=REGISTRY)
WARM_POOL_TAKES = Counter(
    "qinling_warm_pool_takes", "Takes of an idle worker from a runtime's warm pool: hit (one "
    "was there) or miss (a worker is started instead).",
    ["runtime_id", "outcome"], registry=REGISTRY)
QUEUE_DELIVERIES = Counter(
    "qinling_execution_queue_deliveries", "Messages of the execution queue taken by a "
    "consumer; redelivered=\"true\" when the broker delivered it before (a consumer or its "
    "connection died before the ack).",
    ["redelivered"], registry=REGISTRY)
RETRIES = Counter(
    "qinling_execution_retries", "Runs of asynchronous executions retried after a platform "
    "failure (the message waits in a delay queue).", registry=REGISTRY)


def execution_ended(status):
    EXECUTIONS.labels(getattr(status, "value", status)).inc()


def cold_starts(runtime_id, count):
    COLD_STARTS.labels(runtime_id).inc(count)


def warm_pool_take(runtime_id, hit):
    WARM_POOL_TAKES.labels(runtime_id, "hit" if hit else "miss").inc()


def queue_delivery(redelivered):
    QUEUE_DELIVERIES.labels("true" if redelivered else "false").inc()


def retried():
    RETRIES.inc()


class WorkersCollector:
    """``qinling_workers{runtime_id, state}``, read at scrape time from the placement (and its
    warm pool) of every started container of this process: normally one, the replica."""

    def __init__(self):
        self._placements = []

    def add(self, placement):
        self._placements.append(placement)

    def discard(self, placement):
        if placement in self._placements:
            self._placements.remove(placement)

    def collect(self):
        family = GaugeMetricFamily(
            "qinling_workers", "Workers this replica runs, per runtime: bound to a function "
            "version, or idle in the warm pool.", labels=["runtime_id", "state"])
        counts = collections.Counter()
        for placement in list(self._placements):
            counts.update((worker.runtime_id, "bound") for worker in placement.all_workers())
            counts.update({(runtime_id, "idle"): idle
                           for runtime_id, idle in placement.warm_pool.idle_counts().items()})
        for (runtime_id, state), count in sorted(counts.items()):
            family.add_metric([runtime_id, state], count)
        yield family


WORKERS = WorkersCollector()
REGISTRY.register(WORKERS)
