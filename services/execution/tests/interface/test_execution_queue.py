"""The durable execution queue on a real RabbitMQ vhost: an accepted execution is a persistent
message in a durable queue, confirmed by the broker; a message whose consumer died is delivered
again and recorded once; retries wait in the delay queues, not in workers."""
import logging

import eventlet
import pytest
import sqlalchemy as sa
from kombu import Connection
from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter, replace_dependencies, restrict_entrypoints
from fakes import echo_result
from service_harness import Ports, spec

from qinling_nameko import broker_failures
from qinling_shared.context import tenancy
from qinling_shared.exceptions import Unavailable

from qinling_execution import execution_queue, metrics
from qinling_execution.models import Execution
from qinling_execution.service import ExecutionService

QUEUE = execution_queue.RUN_QUEUE.name


class StubFunction:
    name = "function"
    specs = {}

    @rpc
    def get_function_spec(self, function_id, version=0):
        return StubFunction.specs[function_id]


class StubStorage:
    name = "storage"

    @rpc
    def sign_url(self, key):
        return f"http://storage/{key}?expires=99999999999"


@pytest.fixture
def config(rabbit_config, tmp_path):
    return {**rabbit_config, "DATABASE_URL": f"sqlite:///{tmp_path}/execution.sqlite",
            "ASYNC_EXECUTIONS": {"base_delay": 0.05, "max_delay": 0.2, "max_retries": 2}}


@pytest.fixture
def stubs(runner_factory, config):
    runner = runner_factory(config, StubFunction, StubStorage)
    runner.start()


def service(container_factory, config, *entrypoints, ports=None):
    """A started execution service on fake ports (returned with it)."""
    container = container_factory(ExecutionService, config)
    ports = ports or Ports()
    replace_dependencies(container, **ports.dependencies())
    if entrypoints:
        restrict_entrypoints(container, *entrypoints)
    container.start()
    return container, ports


def submit(config, **spec_changes):
    """Create a runtime and an async execution of a function on it (as an admin of project
    default, who may make runtimes); the execution."""
    with ServiceRpcProxy("execution", config, context_data=tenancy(is_admin=True)) as execution:
        runtime = execution.create_runtime({"image": "python3"})
        StubFunction.specs["f1"] = spec(project="default", runtime_id=runtime["id"],
                                        **spec_changes)
        return execution.create_execution({"function_id": "f1", "sync": False,
                                           "input": '{"n": 1}'})


def queue_depth(config):
    with Connection(config["AMQP_URI"]) as connection:
        return execution_queue.RUN_QUEUE(connection.channel()).queue_declare(passive=True)\
            .message_count


def test_an_accepted_execution_is_a_persistent_message_in_a_durable_queue(
        stubs, container_factory, config, rabbit_manager):
    service(container_factory, config, "create_runtime", "create_execution")  # no consumer
    accepted = submit(config)
    queue = rabbit_manager.get_queue(config["vhost"], QUEUE)
    assert queue["durable"] is True and queue["auto_delete"] is False
    with Connection(config["AMQP_URI"]) as connection:
        message = execution_queue.RUN_QUEUE(connection.channel()).get(no_ack=True)
    assert message.properties["delivery_mode"] == 2
    assert message.payload == {"execution_id": accepted["id"], "retries": 0}


def test_a_message_the_broker_refuses_fails_the_request_and_keeps_no_row(
        stubs, container_factory, config, rabbit_manager):
    service(container_factory, config, "create_runtime", "create_execution",
            "list_executions")
    rabbit_manager._put("policies", config["vhost"], "full", json={
        "pattern": f"^{QUEUE}$", "apply-to": "queues",
        "definition": {"max-length": 0, "overflow": "reject-publish"}})
    with Connection(config["AMQP_URI"]) as connection:   # the queue the policy applies to
        execution_queue.RUN_QUEUE(connection.channel()).declare()
    poll(lambda: rabbit_manager.get_queue(config["vhost"], QUEUE).get("policy"),
         lambda policy: policy == "full")   # policies apply asynchronously
    with pytest.raises(Unavailable, match="could not be queued"):
        submit(config)  # nacked by the broker: only publisher confirms can tell
    with ServiceRpcProxy("execution", config) as execution:
        assert execution.list_executions() == []


def test_a_message_whose_consumer_died_is_delivered_again_and_recorded_once(
        stubs, container_factory, config):
    stuck, reached = eventlet.event.Event(), eventlet.event.Event()

    def hang(url, payload):
        reached.send()
        stuck.wait()

    first, first_ports = service(container_factory, config)
    first_ports.worker_client.respond = hang
    accepted = submit(config)
    reached.wait(10)
    first.kill()  # dies mid-run: no ack, no record
    assert status_in_database(config, accepted["id"]) == "running"

    second = container_factory(ExecutionService, config)
    second_ports = Ports()
    replace_dependencies(second, **second_ports.dependencies())
    with entrypoint_waiter(second, "run_queued", timeout=10):
        second.start()
    with ServiceRpcProxy("execution", config) as execution:
        done = execution.get_execution(accepted["id"])
        assert (done["status"], done["result"]["output"]) == ("success", {"n": 1})
        with entrypoint_waiter(second, "run_queued", timeout=10):
            publish_again(config, accepted["id"])  # a duplicate after it finished
        assert execution.get_execution(accepted["id"]) == done
    assert len(second_ports.worker_client.calls) == 1
    assert queue_depth(config) == 0


def status_in_database(config, execution_id):
    engine = sa.create_engine(config["DATABASE_URL"])
    with engine.connect() as connection:
        status = connection.execute(sa.select(Execution.status).where(
            Execution.id == execution_id)).scalar_one()
    engine.dispose()
    return status


def publish_again(config, execution_id):
    with Connection(config["AMQP_URI"]) as connection:
        connection.Producer().publish(
            execution_queue.message(execution_id), exchange=execution_queue.EXCHANGE,
            routing_key=execution_queue.RUN_KEY, serializer="json", delivery_mode=2)


def test_retries_wait_in_the_delay_queues_and_come_back(stubs, container_factory, config):
    ports = Ports()
    answers = ["broken", "broken"]

    def respond(url, payload):
        if answers:
            answers.pop()
            return {"output": "Function execution failed.", "success": False, "duration": 0,
                    "logs": "connection refused", "platform_failure": True}
        return echo_result(url, payload)

    ports.worker_client.respond = respond
    service(container_factory, config, ports=ports)
    accepted = submit(config)
    with ServiceRpcProxy("execution", config) as execution:
        done = poll(lambda: execution.get_execution(accepted["id"]),
                    lambda e: e["status"] != "running")
        assert done["status"] == "success"
    assert len(ports.worker_client.calls) == 3
    assert queue_depth(config) == 0


def test_retries_that_run_out_leave_an_error(stubs, container_factory, config):
    ports = Ports()
    ports.orchestrator.fail_next_start("no worker")
    ports.worker_client.respond = lambda url, payload: {
        "output": "Function execution failed.", "success": False, "duration": 0,
        "logs": "connection refused", "platform_failure": True}
    service(container_factory, config, ports=ports)
    accepted = submit(config, max_retries=1)
    with ServiceRpcProxy("execution", config) as execution:
        done = poll(lambda: execution.get_execution(accepted["id"]),
                    lambda e: e["status"] != "running")
        log = execution.get_execution_log(accepted["id"])
    assert done["status"] == "error"
    assert log.endswith("connection refused\nGave up after 1 retry.\n")
    assert len(ports.worker_client.calls) == 1  # the first run had no worker


def poll(read, done, timeout=10.0, interval=0.02):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if eventlet.hubs.get_hub().clock() > deadline:
            raise TimeoutError(f"still {value!r} after {timeout} s")
        eventlet.sleep(interval)


def test_the_run_queue_is_consumed_with_its_own_prefetch(stubs, container_factory, config):
    config = {**config, "ASYNC_EXECUTIONS": {"concurrency": 3}, "max_workers": 10}
    container, _ = service(container_factory, config)
    consumers = [ext for ext in container.extensions
                 if isinstance(ext, execution_queue.ExecutionQueueConsumer)]
    assert [c.prefetch_count for c in consumers] == [3]


def test_many_concurrent_submissions_all_complete(stubs, container_factory, config):
    """Accepting and running overlap on one SQLite file without a writer stalling the rest."""
    ports = Ports()

    def respond(url, payload):
        eventlet.sleep(0.1)
        return echo_result(url, payload)

    ports.worker_client.respond = respond
    service(container_factory, config, ports=ports)
    first = submit(config)

    def one(_):
        with ServiceRpcProxy("execution", config, timeout=20) as execution:
            return execution.create_execution({"function_id": "f1", "sync": False})["id"]

    ids = [first["id"], *eventlet.GreenPool(10).imap(one, range(40))]
    with ServiceRpcProxy("execution", config) as execution:
        ended = [poll(lambda i=i: execution.get_execution(i),
                      lambda e: e["status"] != "running", timeout=30) for i in ids]
    assert [e["status"] for e in ended] == ["success"] * 41
    assert len(ports.worker_client.calls) == 41


def redeliveries():
    return metrics.QUEUE_DELIVERIES.labels("true")._value.get()


def test_a_message_delivered_again_while_it_runs_here_is_acked_after_it_not_run_twice(
        stubs, container_factory, config, rabbit_manager, caplog):
    """A dropped connection (a broker restart) hands the unacked message out again, here,
    while its first delivery still runs: the second waits for the first and is acked."""
    broker_failures.install()   # what the runner does in every service process
    caplog.set_level(logging.INFO, logger=execution_queue.__name__)
    stuck, reached = eventlet.event.Event(), eventlet.event.Event()

    def hang(url, payload):
        reached.send()
        stuck.wait()
        return echo_result(url, payload)

    container, ports = service(container_factory, config)
    ports.worker_client.respond = hang
    before = redeliveries()
    accepted = submit(config)
    with eventlet.Timeout(10):   # the first delivery runs (and hangs) here
        reached.wait()
    with eventlet.Timeout(30):
        # Drop every connection until the consumer has the message again: the management
        # API may not list the consumer's connection yet at the first drop.
        while redeliveries() == before:
            close_connections(rabbit_manager, config["vhost"])
            with eventlet.Timeout(3, False):   # the consumer reconnected and got it again
                while redeliveries() == before:
                    eventlet.sleep(0.05)
    stuck.send()
    with eventlet.Timeout(20):
        while status_in_database(config, accepted["id"]) == "running":
            eventlet.sleep(0.1)
    assert status_in_database(config, accepted["id"]) == "success"
    with eventlet.Timeout(20):   # the waiting delivery is acked as it says so
        while "the delivery that ran it completed, this one is acked" not in caplog.text:
            eventlet.sleep(0.05)
    container.kill()   # a message not acked by now goes back to the queue
    assert queue_depth(config) == 0
    assert len(ports.worker_client.calls) == 1


def close_connections(rabbit_manager, vhost):
    """Close every connection to ``vhost``, as a network failure would; how many."""
    names = [c["name"] for c in rabbit_manager.get_connections() if c["vhost"] == vhost]
    for name in names:
        rabbit_manager.delete_connection(name)
    return len(names)
