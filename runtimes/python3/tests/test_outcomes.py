"""The outcomes a worker keeps by execution id (``pyruntime.outcomes``): one run per id, and
bounded memory."""
import threading

import pytest

from pyruntime import outcomes
from pyruntime.contract import BadRequest


def result(output, logs=""):
    return {"output": output, "success": True, "duration": 0.1, "logs": logs}


def test_the_first_claim_runs_and_a_later_one_gets_the_result():
    kept = outcomes.Outcomes()
    assert kept.claim("e1") is None
    assert kept.state("e1") == (outcomes.RUNNING, None)
    kept.finish("e1", result(1))
    assert kept.claim("e1") == result(1)
    assert kept.state("e1") == (outcomes.FINISHED, result(1))


def test_a_claim_during_the_run_waits_for_its_result():
    kept = outcomes.Outcomes()
    assert kept.claim("e1") is None
    got = []
    waiter = threading.Thread(target=lambda: got.append(kept.claim("e1")))
    waiter.start()
    kept.finish("e1", result("once"))
    waiter.join(5)
    assert got == [result("once")]


def test_a_run_that_ended_without_a_result_is_forgotten_so_it_may_run_again():
    kept = outcomes.Outcomes()
    kept.claim("e1")
    kept.finish("e1", None)
    assert kept.state("e1") == (None, None)
    assert kept.claim("e1") is None


def test_waiting_for_a_run_ends_with_it():
    kept = outcomes.Outcomes()
    kept.claim("e1")
    threading.Timer(0.1, kept.finish, ("e1", result(2))).start()
    assert kept.state("e1", wait=10) == (outcomes.FINISHED, result(2))


def test_the_oldest_results_go_first_beyond_the_count():
    kept = outcomes.Outcomes(limit=2)
    for n in range(3):
        kept.claim(f"e{n}")
        kept.finish(f"e{n}", result(n))
    assert [kept.state(f"e{n}")[0] for n in range(3)] == [None, "finished", "finished"]


def test_the_oldest_results_go_first_beyond_the_bytes_but_the_last_stays():
    kept = outcomes.Outcomes(byte_limit=100)
    kept.claim("small")
    kept.finish("small", result(1, logs="x" * 40))
    kept.claim("big")
    kept.finish("big", result(1, logs="y" * 500))
    assert kept.state("small") == (None, None)
    assert kept.state("big") == (outcomes.FINISHED, result(1, logs="y" * 500))


@pytest.mark.parametrize("body", [None, {}, {"execution_id": 1},
                                  {"execution_id": "e", "wait": -1},
                                  {"execution_id": "e", "wait": True}])
def test_a_malformed_outcome_request_is_refused(body):
    with pytest.raises(BadRequest):
        outcomes.parse_outcome(body)


def test_the_answers_of_post_outcome():
    assert outcomes.parse_outcome({"execution_id": "e", "wait": 2.5}) == ("e", 2.5)
    assert outcomes.answer("e", outcomes.RUNNING, None) == (
        200, {"execution_id": "e", "state": "running"})
    assert outcomes.answer("e", None, None) == (404, {"error": "Execution e is not known here."})
