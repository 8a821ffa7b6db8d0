"""Asynchronous executions survive a SIGKILL of the execution service: every accepted execution
ends, none is lost, none is recorded twice (a platform of its own: this test kills a service)."""
import json
import signal
import time

import pytest
from kombu import Connection

from qinling_testing.api_client import ApiClient
from qinling_testing.packages import zip_package
from qinling_testing.platform import START_TIMEOUT, healthy_platform

from qinling_execution import execution_queue

COUNT = 100
SLOW_SOURCE = '''\
import time


def main(n, **kwargs):
    time.sleep(0.3)
    print("run", n)
    return n
'''
DEADLINE = 120.0


@pytest.fixture(scope="module")
def platform():
    with healthy_platform() as running:
        yield running


@pytest.fixture(scope="module")
def api(platform):
    with ApiClient(platform.url) as client:
        yield client


@pytest.fixture(scope="module")
def function_id(api):
    runtime = api.create_runtime()
    assert runtime.status_code == 201, runtime.text
    function = api.create_function(runtime.json()["id"], name="slow",
                                   package=zip_package({"main.py": SLOW_SOURCE}))
    assert function.status_code == 201, function.text
    return function.json()["id"]


def executions(api, function_id):
    response = api.get("/v1/executions", params={"function_id": function_id, "limit": "1000"})
    assert response.status_code == 200, response.text
    return {e["id"]: e for e in response.json()["executions"]}


def wait_until_all_ended(api, function_id):
    deadline = time.monotonic() + DEADLINE
    while True:
        rows = executions(api, function_id)
        running = [i for i, e in rows.items() if e["status"] == "running"]
        if not running:
            return rows
        assert time.monotonic() < deadline, f"{len(running)} still running after {DEADLINE} s"
        time.sleep(0.2)


def run_queue(platform):
    """``(ready messages, consumers)`` of the execution queue, as the broker has them now."""
    url = platform.rabbit.transport_url.replace("rabbit://", "amqp://")
    with Connection(url) as connection:
        declared = execution_queue.RUN_QUEUE(connection.channel()).queue_declare(passive=True)
    return declared.message_count, declared.consumer_count


def drain(platform):
    """Let the execution service take every message, then stop it gracefully (it finishes what
    it took; what it had not begun goes back to the queue). Until the queue stays empty."""
    for _ in range(5):
        deadline = time.monotonic() + DEADLINE
        while run_queue(platform) != (0, 1):
            assert time.monotonic() < deadline, f"queue not drained: {run_queue(platform)}"
            time.sleep(0.1)
        platform.kill("execution", signal.SIGTERM)
        if run_queue(platform)[0] == 0:
            return
        platform.start("execution")
        platform.wait_healthy(START_TIMEOUT)
    pytest.fail("messages kept coming back to the queue")


def publish_duplicates(platform, execution_ids):
    """One more message for each execution, as redeliveries would be."""
    url = platform.rabbit.transport_url.replace("rabbit://", "amqp://")
    with Connection(url) as connection:
        producer = connection.Producer()
        for execution_id in execution_ids:
            producer.publish(execution_queue.message(execution_id),
                             exchange=execution_queue.EXCHANGE,
                             routing_key=execution_queue.RUN_KEY, serializer="json",
                             delivery_mode=2)


def test_a_killed_execution_service_loses_and_repeats_nothing(platform, api, function_id):
    accepted = {}
    for n in range(COUNT):
        response = api.execute(function_id, {"n": n}, sync=False)
        assert response.status_code == 201, response.text
        accepted[response.json()["id"]] = n
    running = [e for e in executions(api, function_id).values() if e["status"] == "running"]
    platform.kill("execution")  # SIGKILL
    assert running, "everything had ended before the kill: nothing was tested"

    platform.start("execution")
    platform.wait_healthy(START_TIMEOUT)
    ended = wait_until_all_ended(api, function_id)
    assert set(ended) == set(accepted)  # none lost, none made up
    for execution_id, n in accepted.items():
        execution = ended[execution_id]
        assert execution["status"] == "success", execution
        assert json.loads(execution["result"])["output"] == n

    publish_duplicates(platform, accepted)
    drain(platform)
    platform.start("execution")
    platform.wait_healthy(START_TIMEOUT)
    assert executions(api, function_id) == ended  # no execution was recorded again
    log = api.get(f"/v1/executions/{next(iter(accepted))}/log").text
    assert log.count("Start execution") == 1
