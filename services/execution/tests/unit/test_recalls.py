"""A take of an execution's message whose run was already sent to a worker (the consumer that
took it before was cut short) asks that worker first: a finished run is recorded from the
result the worker kept, a running one is awaited, and only one no worker knows runs again."""
import types

import pytest
from service_harness import spec

from qinling_execution import recalls
from qinling_execution.models import Execution

RAN = {"output": "ran once", "success": True, "duration": 0.1, "logs": "Start execution\n"}


class ConsumerDied(BaseException):
    """The consumer stopped in the middle of a run: its message is not acked, comes back."""


@pytest.fixture
def function(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"]))


def submit(service):
    execution = service.create_execution({"function_id": "f1", "sync": False})
    (message,) = service.execution_queue.take()
    return execution, message


def dies_after_the_worker_ran_it(worker_client):
    """The worker runs it (and keeps its result); the consumer dies before recording it."""
    def respond(url, payload):
        worker_client.kept[(url, payload["execution_id"])] = RAN
        raise ConsumerDied()
    return respond


def test_the_worker_is_written_on_the_row_before_the_run_is_sent(service, function, ports,
                                                                 session):
    seen = []

    def respond(url, payload):
        row = session.get(Execution, payload["execution_id"], populate_existing=True)
        seen.append((row.worker_url, url))
        return RAN
    ports.worker_client.respond = respond
    execution, message = submit(service)
    service.run_queued(message)
    ((recorded, sent_to),) = seen
    assert recorded == sent_to and sent_to.startswith("http")


def test_a_synchronous_run_writes_no_worker(service, function, ports, session):
    execution = service.create_execution({"function_id": "f1", "sync": True})
    assert session.get(Execution, execution["id"], populate_existing=True).worker_url is None


def test_a_run_the_worker_finished_is_recorded_not_run_again(service, function, ports):
    ports.worker_client.respond = dies_after_the_worker_ran_it(ports.worker_client)
    execution, message = submit(service)
    with pytest.raises(ConsumerDied):
        service.run_queued(message)
    service.run_queued(message)  # redelivered after the crash
    done = service.get_execution(execution["id"])
    assert (done["status"], done["result"]["output"]) == ("success", "ran once")
    assert service.get_execution_log(execution["id"]) == RAN["logs"]
    ((url, _),) = ports.worker_client.calls  # sent once
    assert [asked[:2] for asked in ports.worker_client.asked] == [(url, execution["id"])]


def test_a_run_the_worker_still_runs_is_awaited(service, function, ports):
    ports.worker_client.respond = dies_after_the_worker_ran_it(ports.worker_client)
    execution, message = submit(service)
    with pytest.raises(ConsumerDied):
        service.run_queued(message)
    ((url, _),) = ports.worker_client.calls
    ports.worker_client.running[(url, execution["id"])] = 2
    service.run_queued(message)
    assert service.get_execution(execution["id"])["status"] == "success"
    assert len(ports.worker_client.asked) == 3 and len(ports.worker_client.calls) == 1
    assert all(wait > 0 for *_, wait in ports.worker_client.asked)


def test_a_run_no_worker_knows_runs_again(service, function, ports):
    answers = [ConsumerDied()]  # died before the worker had it

    def respond(url, payload):
        if answers:
            raise answers.pop()
        return RAN
    ports.worker_client.respond = respond
    execution, message = submit(service)
    with pytest.raises(ConsumerDied):
        service.run_queued(message)
    service.run_queued(message)
    assert service.get_execution(execution["id"])["status"] == "success"
    assert len(ports.worker_client.asked) == 1 and len(ports.worker_client.calls) == 2


def test_a_run_whose_worker_is_gone_runs_again(service, function, ports):
    ports.worker_client.respond = dies_after_the_worker_ran_it(ports.worker_client)
    execution, message = submit(service)
    with pytest.raises(ConsumerDied):
        service.run_queued(message)
    ports.worker_client.kept.clear()  # the worker died with everything it kept
    ports.worker_client.respond = lambda url, payload: RAN
    service.run_queued(message)
    assert service.get_execution(execution["id"])["status"] == "success"
    assert len(ports.worker_client.calls) == 2


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class AlwaysRunning:
    """A worker that keeps saying "running"; each ask takes the wait it was given."""

    def __init__(self, clock):
        self.clock, self.asked = clock, []

    def outcome(self, url, execution_id, wait=0.0):
        self.asked.append(wait)
        self.clock.now += wait
        return "running", None


def test_a_run_still_going_past_its_timeout_is_recorded_timed_out_not_run_again():
    clock = Clock()
    worker = AlwaysRunning(clock)
    caches = types.SimpleNamespace(specs=types.SimpleNamespace(
        get=lambda key, load: {"timeout": 50, "project_id": "p"}))
    execution = types.SimpleNamespace(id="e1", function_id="f1", function_version=0,
                                      worker_url="http://127.0.0.1:4000")
    outcome = recalls.recall(execution, caches=caches, function=None, worker_client=worker,
                             clock=clock)
    assert (outcome["output"], outcome["success"]) == ("Function execution timeout.", False)
    assert "platform_failure" not in outcome
    assert sum(worker.asked) == 50 + recalls.MARGIN and max(worker.asked) == recalls.WAIT


def test_nothing_sent_means_nothing_to_ask():
    execution = types.SimpleNamespace(id="e1", worker_url=None)
    assert recalls.recall(execution, caches=None, function=None, worker_client=None) is None
