"""A redelivered ``create_execution`` (its first replica died before it acked) answers with the
execution its first delivery made, never a second one (issue #9, D8); a late one makes
nothing new (D7)."""
import datetime

import pytest
from service_harness import spec

from qinling_shared.exceptions import Unavailable
from qinling_shared.start_by import Verdict

from qinling_execution import replays
from qinling_execution.models import Execution

REPLAY, LATE = Verdict.REPLAY, Verdict.LATE_REPLAY


@pytest.fixture
def function(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"]))


def create(service, delivery=Verdict.RUN, key="req-1", **fields):
    return service.create_execution({"function_id": "f1", **fields}, None, request_key=key,
                                    delivery=delivery)


@pytest.mark.parametrize("delivery", [REPLAY, LATE])
def test_a_redelivered_async_create_returns_the_first_and_queues_it_once(
        service, function, delivery):
    first = create(service, sync=False)
    assert len(service.execution_queue.take()) == 1
    again = create(service, delivery, sync=False)
    assert again["id"] == first["id"]
    assert [e["id"] for e in service.list_executions()] == [first["id"]]
    assert service.execution_queue.take() == []  # it was queued already


def test_a_replay_queues_an_execution_whose_first_delivery_died_before_queueing_it(
        service, function, session):
    first = create(service, sync=False)
    service.execution_queue.take()
    session.get(Execution, first["id"]).queued = False  # as if it died before the confirm
    session.commit()
    create(service, REPLAY, sync=False)
    assert service.execution_queue.take() == [{"execution_id": first["id"], "retries": 0}]
    assert session.get(Execution, first["id"], populate_existing=True).queued is True


def test_an_in_time_replay_whose_first_delivery_made_nothing_creates_it(service, function):
    made = create(service, REPLAY, sync=False)
    assert [e["id"] for e in service.list_executions()] == [made["id"]]


def test_a_late_replay_whose_first_delivery_made_nothing_makes_nothing(service, function):
    with pytest.raises(Unavailable, match="no execution was made, and none will be"):
        create(service, LATE, sync=False)
    assert service.list_executions() == []
    assert service.execution_queue.take() == []


@pytest.mark.parametrize("sync", [True, False])
def test_a_second_copy_of_one_request_returns_the_first(service, function, ports, sync):
    """A publish retried after a lost confirm: two first deliveries of one request. The
    second meets the first at the request key's unique index."""
    first = create(service, sync=sync)
    again = create(service, sync=sync)
    assert again["id"] == first["id"]
    assert [e["id"] for e in service.list_executions()] == [first["id"]]
    assert len(ports.worker_client.calls) == (1 if sync else 0)
    assert len(service.execution_queue.take()) == (0 if sync else 1)


def test_different_request_keys_are_different_executions(service, function):
    assert create(service, key="a", sync=False)["id"] != create(service, key="b", sync=False)["id"]


def test_a_client_key_wins_over_the_request_key(service, function):
    first = service.create_execution({"function_id": "f1", "sync": False}, "order-1",
                                     request_key="r1")
    again = service.create_execution({"function_id": "f1", "sync": False}, "order-1",
                                     request_key="r2")
    assert again["id"] == first["id"]


def test_a_sync_replay_of_an_ended_run_returns_it_without_running_again(service, function,
                                                                        ports):
    first = create(service)
    again = create(service, REPLAY)
    assert again == service.get_execution(first["id"]) and again["status"] == "success"
    assert len(ports.worker_client.calls) == 1


def running_sync(session, deadline):
    row = Execution(id="e1", project_id="p1", function_id="f1", status="running", sync=True,
                    request_key="req-1", deadline_at=deadline)
    session.add(row)
    session.commit()
    return row


def test_a_sync_replay_waits_for_the_first_run_to_end(service, function, session, ports):
    far = datetime.datetime.utcnow() + datetime.timedelta(hours=1)
    row = running_sync(session, far)
    looks = []

    def first_run_ends(seconds):  # meanwhile, the first delivery's run records its outcome
        looks.append(seconds)
        session.get(Execution, "e1").status = "success"
        session.commit()

    answer = replays.answer(session, row, service.execution_queue, sleep=first_run_ends)
    assert answer["status"] == "success" and looks == [replays.POLL_INTERVAL]
    assert ports.worker_client.calls == []


def test_a_sync_replay_past_the_deadline_records_an_error_and_never_runs_it(
        service, function, session, ports):
    running_sync(session, datetime.datetime(2000, 1, 1))
    answer = create(service, LATE)
    assert (answer["id"], answer["status"]) == ("e1", "error")
    assert "stopped before it ended" in service.get_execution_log("e1")
    assert ports.worker_client.calls == []
