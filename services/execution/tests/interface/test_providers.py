"""The service on its real dependency providers (the fake orchestrator, a real etcd, plain
and over TLS, and RabbitMQ): one orchestrator, worker map and warm pool shared by placement;
at start the worker map is started and placement recovers from it; at stop the orchestrator
is closed and the worker map's lease given up."""
import json
import uuid

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import restrict_entrypoints
from nameko.testing.utils import get_extension

from qinling_execution.dependencies import (
    OrchestratorProvider, PlacementProvider, WarmPoolProvider, WorkerMapProvider)
from qinling_execution.etcd_store import EtcdStore
from qinling_execution.service import ExecutionService


@pytest.fixture
def config(rabbit_config, tmp_path, etcd):
    prefix = f"/test-{uuid.uuid4().hex[:8]}/"
    return {**rabbit_config, "DATABASE_URL": f"sqlite:///{tmp_path}/execution.sqlite",
            "ORCHESTRATOR": {"name": "fake", "settings": {}},
            "ETCD": {**etcd.settings(), "prefix": prefix},
            "ENGINE": {"function_concurrency": 3, "function_service_expiration": 3600,
                       "pool_size": 1, "replica_id": "r1"}}


def etcd_store(etcd):
    return EtcdStore.connect(etcd.settings())


def etcd_keys(etcd, prefix):
    return [key for key, _ in etcd_store(etcd).load(prefix)[1]]


def test_providers_share_their_ports_and_keep_the_start_and_stop_order(
        container_factory, config, etcd):
    prefix = config["ETCD"]["prefix"]
    dead_key = f"{prefix}workers/f1/0/gone"  # recorded by this replica's previous life
    etcd_store(etcd).put(dead_key, json.dumps({"url": "http://gone", "runtime_id": "r",
                                               "owner": "r1"}))
    container = container_factory(ExecutionService, config)
    restrict_entrypoints(container, "ping")
    container.start()

    def provided(provider_class):
        return get_extension(container, provider_class).built()

    orchestrator, placement = provided(OrchestratorProvider), provided(PlacementProvider)
    assert placement.orchestrator is orchestrator
    assert placement.worker_map is provided(WorkerMapProvider)
    assert placement.warm_pool is provided(WarmPoolProvider)
    assert provided(WarmPoolProvider).orchestrator is orchestrator
    assert etcd_keys(etcd, prefix) == []  # recovered: the dead worker's key was reaped
    with ServiceRpcProxy("execution", config) as execution:
        assert execution.ping() == {"service": "execution", "status": "ok", "orchestrator": {
            "driver": "fake", "isolation": [], "workers": 0}}

    placement.worker_map.add(orchestrator.start_worker("rt", "python3", "f2", 0, "w-f2"))
    assert etcd_keys(etcd, prefix) == [f"{prefix}workers/f2/0/w-f2"]
    container.stop()
    assert orchestrator.calls[-1] == ("close", ()) and orchestrator.workers == {}
    assert etcd_keys(etcd, prefix) == []  # the lease was given up
