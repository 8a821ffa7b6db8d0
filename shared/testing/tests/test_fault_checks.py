"""What fault tests read back once a fault is over, on a fake API and a real broker vhost."""
import json
import types

import pytest
from kombu import Connection, Producer

from qinling_shared import queues
from qinling_testing import fault_checks
from qinling_testing.rabbit import RabbitVhost


class FakeApi:
    """``GET /v1/executions`` of one function: ``states`` is one list of ``(n, status)`` per
    call (the last one repeats), served in pages as the execution service does."""

    def __init__(self, *states):
        self.states, self.calls = list(states), 0

    def get(self, path, params):
        assert path == "/v1/executions"
        state = self.states[min(self.calls, len(self.states) - 1)]
        executions = [{"id": f"e{n}-{i}", "status": status, "input": json.dumps({"n": n})}
                      for i, (n, status) in enumerate(state)]
        start = next((i + 1 for i, e in enumerate(executions) if e["id"] == params.get("marker")),
                     0)
        if start == 0:
            self.calls += 1
        page = executions[start:start + int(params["limit"])]
        return types.SimpleNamespace(status_code=200, text="", json=lambda: {"executions": page})


@pytest.fixture
def platform():
    """What ``queued_messages`` reads of a platform: its vhost, with the execution service's
    queues declared (empty)."""
    with RabbitVhost() as vhost:
        with Connection(vhost.transport_url.replace("rabbit://", "amqp://")) as connection:
            channel = connection.channel()
            for name in (queues.rpc_queue("execution"), queues.EXECUTION_QUEUE):
                channel.queue_declare(name, durable=True, auto_delete=False)
        yield types.SimpleNamespace(rabbit=vhost)


def test_executions_by_number_reads_every_page(monkeypatch):
    monkeypatch.setattr(fault_checks, "PAGE", 2)
    api = FakeApi([(1, "success"), (2, "success"), (2, "failed"), (3, "running"), (4, "error")])
    rows = fault_checks.executions_by_number(api, "f1")
    assert {n: [e["status"] for e in made] for n, made in rows.items()} == {
        1: ["success"], 2: ["success", "failed"], 3: ["running"], 4: ["error"]}


def test_settled_waits_until_every_accepted_execution_has_ended(platform):
    api = FakeApi([(1, "running")], [(1, "running"), (2, "running")],
                  [(1, "success"), (2, "running")], [(1, "success"), (2, "failed")])
    rows = fault_checks.settled(platform, api, "f1", {1: "e1", 2: "e2"}, deadline=10,
                                interval=0.01)
    assert {n: [e["status"] for e in made] for n, made in rows.items()} == {
        1: ["success"], 2: ["failed"]}
    assert api.calls == 4


def test_settled_fails_when_an_accepted_execution_never_shows(platform):
    api = FakeApi([(1, "success")])
    with pytest.raises(AssertionError, match="still running or queued"):
        fault_checks.settled(platform, api, "f1", {1: "e1", 2: "e2"}, deadline=0.2,
                             interval=0.01)


def test_settled_fails_while_a_message_waits_for_the_execution_service(platform):
    url = platform.rabbit.transport_url.replace("rabbit://", "amqp://")
    with Connection(url, transport_options={"confirm_publish": True}) as conn:
        Producer(conn).publish("x", exchange="", routing_key=queues.EXECUTION_QUEUE)
    assert fault_checks.queued_messages(platform) == 1
    with pytest.raises(AssertionError, match="still running or queued"):
        fault_checks.settled(platform, FakeApi([(1, "success")]), "f1", {1: "e1"},
                             deadline=0.2, interval=0.01)
