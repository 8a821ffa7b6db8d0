import json
from types import SimpleNamespace

from qinling_nameko.metrics import REGISTRY, CallMetrics, ServesMetrics, outcome_of
from qinling_nameko.rpc import Rpc
from qinling_shared.exceptions import NotFound, Unavailable
from qinling_shared.metric_samples import from_wire


class WorkerContext:  # nameko's is weakly referable too
    def __init__(self, method_name):
        self.entrypoint = SimpleNamespace(method_name=method_name)


def worker_context(method_name):
    return WorkerContext(method_name)


def calls(entrypoint, outcome):
    return REGISTRY.get_sample_value(
        "qinling_service_calls_total", {"entrypoint": entrypoint, "outcome": outcome}) or 0


def exc_info(exc):
    return type(exc), exc, None


def test_a_call_is_ok_refused_by_a_client_error_or_an_error():
    assert outcome_of(None) == "ok"
    assert outcome_of(exc_info(NotFound("gone"))) == "refused"
    assert outcome_of(exc_info(Unavailable("down"))) == "error"
    assert outcome_of(exc_info(KeyError("bug"))) == "error"


def test_each_call_is_counted_by_entrypoint_and_outcome_and_timed():
    ticks = iter([0.0, 1.0, 3.0, 7.0])  # two calls that overlap
    provider = CallMetrics(clock=lambda: next(ticks))
    before_ok, before_refused = calls("t_get", "ok"), calls("t_get", "refused")
    before_time = REGISTRY.get_sample_value(
        "qinling_service_call_duration_seconds_sum", {"entrypoint": "t_get"}) or 0
    first, second = worker_context("t_get"), worker_context("t_get")
    provider.worker_setup(first)
    provider.worker_setup(second)
    provider.worker_result(second, exc_info=exc_info(NotFound("gone")))  # 3 - 1
    provider.worker_result(first)  # 7 - 0
    assert calls("t_get", "ok") == before_ok + 1
    assert calls("t_get", "refused") == before_refused + 1
    spent = REGISTRY.get_sample_value(
        "qinling_service_call_duration_seconds_sum", {"entrypoint": "t_get"}) - before_time
    assert spent == 2.0 + 7.0


def test_every_service_class_gets_a_metrics_rpc_method_returning_its_families():
    class Service(ServesMetrics):
        name = "t_service"

    assert any(isinstance(entrypoint, Rpc) for entrypoint in Service.metrics.nameko_entrypoints)
    CallMetrics().worker_result(worker_context("t_exposed"))
    families = {family.name: family for family in
                from_wire(json.loads(json.dumps(Service().metrics())))}  # as sent by RPC
    assert families["qinling_service_calls"].type == "counter"
    assert {"entrypoint": "t_exposed", "outcome": "ok"} in [
        sample.labels for sample in families["qinling_service_calls"].samples]
    assert "process_resident_memory_bytes" in families
