"""The start-by rule: a request its caller may have given up on never starts."""
import pytest

from qinling_shared import start_by
from qinling_shared.start_by import Verdict

BEFORE, AFTER = 99.0, 101.0   # "now", either side of a start-by of 100.0


@pytest.mark.parametrize("redelivered, now, replayable, expected", [
    (False, BEFORE, False, Verdict.RUN),
    (False, AFTER, False, Verdict.REFUSE),
    (False, AFTER, True, Verdict.REFUSE),       # a late first delivery never starts
    (True, BEFORE, False, Verdict.REPLAY),
    (True, BEFORE, True, Verdict.REPLAY),
    (True, AFTER, False, Verdict.REFUSE),
    (True, AFTER, True, Verdict.LATE_REPLAY),   # only what the first delivery recorded
])
def test_the_verdict_of_a_delivery(redelivered, now, replayable, expected):
    assert start_by.verdict(redelivered, 100.0, now, replayable) is expected


@pytest.mark.parametrize("redelivered, expected", [(False, Verdict.RUN),
                                                   (True, Verdict.REPLAY)])
def test_a_request_without_a_start_by_is_always_in_time(redelivered, expected):
    assert start_by.verdict(redelivered, None, 1e12) is expected


@pytest.mark.parametrize("value, parsed", [(100500, 100.5), (100.5, None), (None, None),
                                           ("100", None), (True, None)])
def test_only_numbers_are_start_by_times(value, parsed):
    assert start_by.parse(value) == parsed


def test_a_request_may_wait_at_most_half_its_calls_timeout_to_start():
    assert start_by.window(timeout=60, start_window=30) == 30
    assert start_by.window(timeout=2, start_window=30) == 1
    assert start_by.window(timeout=360, start_window=30) == 30
    assert start_by.stamp(1000.0, 30) == 1030000
    assert start_by.parse(start_by.stamp(1000.0, 0.5)) == 1000.5


def test_the_refusal_says_it_did_not_run():
    assert start_by.refusal(100.0, 102.5).endswith("waited 2.5 s too long; it did not run.")
