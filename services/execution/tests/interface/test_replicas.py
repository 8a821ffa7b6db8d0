"""Two execution service replicas on a real RabbitMQ vhost: every replica hears the function
service's cache events (broadcast), so none keeps running stale code."""
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter, replace_dependencies
from service_harness import Ports

from qinling_execution.service import ExecutionService


@pytest.fixture
def replicas(container_factory, rabbit_config, tmp_path):
    """``[(container, ports)]`` of two started replicas, each with its own fake ports."""
    started = []
    for index in range(2):
        config = {**rabbit_config, "DATABASE_URL": f"sqlite:///{tmp_path}/execution{index}.db"}
        container = container_factory(ExecutionService, config)
        ports = Ports()
        replace_dependencies(container, **ports.dependencies())
        container.start()
        started.append((container, ports))
    return started


def cached(ports, key):
    return ports.caches.specs.get(key, lambda: "reloaded")


def test_function_updated_reaches_every_replica(replicas, rabbit_config):
    for _, ports in replicas:
        ports.caches.specs.get(("f1", 0), lambda: "old spec")
        ports.caches.specs.get(("f2", 0), lambda: "other function")
    with entrypoint_waiter(replicas[0][0], "on_function_updated", timeout=10), \
            entrypoint_waiter(replicas[1][0], "on_function_updated", timeout=10):
        event_dispatcher(rabbit_config)("function", "function_updated", {"id": "f1"})
    for _, ports in replicas:
        assert cached(ports, ("f1", 0)) == "reloaded"
        assert cached(ports, ("f2", 0)) == "other function"


def test_alias_updated_reaches_every_replica(replicas, rabbit_config):
    for _, ports in replicas:
        ports.caches.aliases.get(("prod", "p1"), lambda: "old target")
    with entrypoint_waiter(replicas[0][0], "on_alias_updated", timeout=10), \
            entrypoint_waiter(replicas[1][0], "on_alias_updated", timeout=10):
        event_dispatcher(rabbit_config)("function", "alias_updated",
                                        {"name": "prod", "project_id": "p1"})
    for _, ports in replicas:
        assert ports.caches.aliases.get(("prod", "p1"), lambda: "new target") == "new target"


def test_forget_function_is_an_rpc(replicas, rabbit_config):
    for _, ports in replicas:
        ports.caches.specs.get(("f1", 3), lambda: "old spec")
    with ServiceRpcProxy("execution", rabbit_config) as execution:
        assert execution.forget_function("f1") is None
    forgotten = [cached(ports, ("f1", 3)) == "reloaded" for _, ports in replicas]
    assert sorted(forgotten) == [False, True]  # the replica that took the call
