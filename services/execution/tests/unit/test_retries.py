"""Pure retry rules: which outcomes are retried, how often, after which delays."""
import pytest

from qinling_execution import execution_queue, outcomes, retries
from qinling_execution.retries import RetryPolicy


def test_delays_double_from_the_base_up_to_the_cap():
    policy = RetryPolicy(base_delay=1, max_delay=10)
    assert [policy.delay_ms(n) for n in range(1, 7)] == [1000, 2000, 4000, 8000, 10000, 10000]


def test_a_huge_retry_number_stays_at_the_cap():
    assert RetryPolicy(base_delay=0.5, max_delay=60).delay_ms(10 ** 6) == 60000


def test_levels_are_every_possible_delay_once():
    policy = RetryPolicy(base_delay=1, max_delay=10)
    assert policy.levels() == [1000, 2000, 4000, 8000, 10000]
    assert set(policy.levels()) == {policy.delay_ms(n) for n in range(1, 50)}


def test_a_cap_equal_to_the_base_is_one_level():
    assert RetryPolicy(base_delay=2, max_delay=2).levels() == [2000]


def test_fractions_of_a_second_become_whole_milliseconds():
    assert RetryPolicy(base_delay=0.0504, max_delay=0.2).levels() == [50, 100, 200]


@pytest.mark.parametrize("changes", [
    {"max_retries": -1}, {"base_delay": 0}, {"base_delay": 5, "max_delay": 1},
])
def test_bad_policies_are_refused(changes):
    with pytest.raises(ValueError):
        RetryPolicy(**changes)


def test_retries_are_numbered_from_one():
    with pytest.raises(ValueError):
        RetryPolicy().delay_ms(0)


def test_a_functions_own_maximum_wins_even_zero():
    policy = RetryPolicy(max_retries=3)
    assert policy.limit_for(None) == 3
    assert policy.limit_for(0) == 0
    assert policy.limit_for(7) == 7


@pytest.mark.parametrize("platform_failure, done, limit, step", [
    (False, 0, 3, retries.RECORD),    # the function ran: its outcome stands
    (None, 5, 3, retries.RECORD),
    (True, 0, 3, retries.RETRY),
    (True, 2, 3, retries.RETRY),
    (True, 3, 3, retries.GIVE_UP),
    (True, 0, 0, retries.GIVE_UP),
])
def test_next_step(platform_failure, done, limit, step):
    assert retries.next_step(platform_failure, done, limit) == step


def test_outcomes_map_to_qinlings_statuses():
    assert outcomes.status_of({"success": True}) == "success"
    assert outcomes.status_of({"success": False}) == "failed"
    assert outcomes.status_of(outcomes.failure("no worker", platform=True)) == "error"
    assert outcomes.failure("no worker", platform=True)["platform_failure"] is True
    assert "platform_failure" not in outcomes.failure("Function not found")


def test_giving_up_keeps_the_reason_and_says_so():
    given_up = outcomes.given_up(outcomes.failure("worker unreachable", platform=True), 2)
    assert given_up["output"] == "Function execution failed." and given_up["success"] is None
    assert given_up["logs"] == "worker unreachable\nGave up after 2 retries.\n"


def test_retry_note():
    note = outcomes.retry_note({"logs": "worker unreachable\n"}, 2, 3, 2500)
    assert note == "worker unreachable\nRetry 2 of 3 in 2.5 s.\n"


@pytest.mark.parametrize("body", [
    None, [], {}, {"execution_id": 7}, {"execution_id": "e", "retries": -1},
    {"execution_id": "e", "retries": "1"}, {"execution_id": "e", "retries": True},
])
def test_malformed_messages_are_refused(body):
    with pytest.raises(ValueError):
        execution_queue.parse_message(body)


def test_messages_round_trip():
    assert execution_queue.parse_message(execution_queue.message("e1", 2)) == ("e1", 2)
    assert execution_queue.parse_message({"execution_id": "e1"}) == ("e1", 0)


def test_each_delay_queue_dead_letters_to_the_run_queue_after_its_ttl():
    queue = execution_queue.delay_queue(4000)
    assert queue.durable and queue.routing_key == "delay-4000"
    assert queue.queue_arguments == {
        "x-message-ttl": 4000, "x-dead-letter-exchange": "qinling-executions",
        "x-dead-letter-routing-key": "run"}
    assert execution_queue.RUN_QUEUE.durable and execution_queue.EXCHANGE.durable


@pytest.mark.parametrize("deliveries, retries_done, given_up", [
    (1, 0, False), (4, 0, False), (5, 0, True),   # the first run: three interruptions pass
    (3, 2, False), (6, 2, False), (7, 2, True),   # retry 2 took one message for each run
])
def test_interruptions_beyond_the_limit_give_up(deliveries, retries_done, given_up):
    assert retries.interrupted_too_often(deliveries, retries_done) is given_up
