"""The execution service's metrics move where things happen: executions end, runs wait for a
new worker, the consumer takes (re)delivered messages and retries; workers are counted per
runtime at scrape time."""
from types import SimpleNamespace

import pytest
from nameko.messaging import Consumer
from service_harness import spec

from qinling_nameko.metrics import REGISTRY

from qinling_execution import metrics
from qinling_execution.execution_queue import ExecutionConsumer

BROKEN_WORKER = {"output": "Function execution failed.", "success": False, "duration": 0,
                 "logs": "connection reset", "platform_failure": True}


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


class Moves:
    """The change of some samples between two points of a test."""

    def __init__(self, *keys):
        self.keys = keys
        self.before = [sample(name, **labels) for name, labels in keys]

    def __call__(self):
        return [sample(name, **labels) - before
                for (name, labels), before in zip(self.keys, self.before)]


def executions(status):
    return ("qinling_executions_total", {"status": status})


@pytest.fixture
def function(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"]))


def test_a_sync_execution_is_counted_when_it_ends_and_its_first_run_is_a_cold_start(
        service, function, runtime):
    moves = Moves(executions("success"),
                  ("qinling_cold_starts_total", {"runtime_id": runtime["id"]}),
                  ("qinling_warm_pool_takes_total", {"runtime_id": runtime["id"],
                                                     "outcome": "miss"}))
    service.create_execution({"function_id": "f1"})
    assert moves() == [1, 1, 1]
    service.create_execution({"function_id": "f1"})  # warm: its worker is still there
    assert moves() == [2, 1, 1]


def test_a_cancel_counts_once_and_an_ended_execution_does_not_count_again(service, function):
    moves = Moves(executions("cancelled"), executions("success"))
    queued = service.create_execution({"function_id": "f1", "sync": False})
    service.cancel_execution(queued["id"])
    (message,) = service.execution_queue.take()
    service.run_queued(message)  # finds it cancelled: records nothing
    assert moves() == [1, 0]


def test_a_retry_is_counted_and_its_execution_only_once_it_ends(service, function, ports):
    answers = [BROKEN_WORKER]
    ports.worker_client.respond = lambda url, payload: (
        answers.pop(0) if answers else {"output": "ok", "success": True, "duration": 0,
                                        "logs": ""})
    moves = Moves(("qinling_execution_retries_total", {}), executions("success"))
    service.create_execution({"function_id": "f1", "sync": False})
    service.run_queued(service.execution_queue.take()[0])
    assert moves() == [1, 0]
    service.run_queued(service.execution_queue.take()[0])
    assert moves() == [1, 1]


def test_the_consumer_counts_deliveries_by_the_redelivered_flag(monkeypatch):
    handled = []
    monkeypatch.setattr(Consumer, "handle_message",
                        lambda self, body, message: handled.append(body))
    consumer = ExecutionConsumer.__new__(ExecutionConsumer)
    moves = Moves(("qinling_execution_queue_deliveries_total", {"redelivered": "true"}),
                  ("qinling_execution_queue_deliveries_total", {"redelivered": "false"}))
    for redelivered in (False, True, True):
        consumer.handle_message({"n": 1}, SimpleNamespace(
            delivery_info={"redelivered": redelivered}))
    assert moves() == [2, 1]
    assert len(handled) == 3


def test_workers_are_counted_per_runtime_bound_or_idle_at_scrape_time(service, function,
                                                                      runtime, ports):
    ports.warm_pool.size = 2
    ports.warm_pool.keep([{"id": "rt-idle", "image": "python3"}])
    service.create_execution({"function_id": "f1"})
    metrics.WORKERS.add(ports.placement)
    try:
        (workers,) = [family for family in REGISTRY.collect()
                      if family.name == "qinling_workers"]
    finally:
        metrics.WORKERS.discard(ports.placement)
    counts = {(s.labels["runtime_id"], s.labels["state"]): s.value for s in workers.samples}
    assert counts == {(runtime["id"], "bound"): 1, ("rt-idle", "idle"): 2,
                      (runtime["id"], "idle"): 2}  # refilled after the cold start's take
