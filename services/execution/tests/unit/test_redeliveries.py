"""The pure rules of a take of a message whose run may already have been sent to a worker."""
import pytest

from qinling_execution import redeliveries as rules


@pytest.mark.parametrize("worker_url, step", [
    (None, rules.RUN), ("", rules.RUN), ("http://127.0.0.1:4000", rules.ASK)])
def test_a_run_sent_to_a_worker_is_asked_about_first(worker_url, step):
    assert rules.first_step(worker_url) == step


@pytest.mark.parametrize("state, time_left, step", [
    ("finished", 10, rules.RECORD),
    ("finished", 0, rules.RECORD),      # a result is recorded whenever it comes
    ("running", 10, rules.ASK),         # awaited while the budget lasts
    ("running", 0, rules.TIMED_OUT),    # never run a second time beside it
    ("running", -1, rules.TIMED_OUT),
    (None, 10, rules.RUN),              # not known there, or the worker is gone
    ("something else", 10, rules.RUN),
])
def test_the_workers_answer_decides(state, time_left, step):
    assert rules.after_answer(state, time_left) == step
