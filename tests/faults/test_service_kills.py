"""Exactly one execution per accepted request, none for a refused one (issue #9, D7 and D8):
each service in turn is killed (SIGKILL) while clients keep submitting asynchronous executions,
then started again by the test.

Every POST is numbered, and the function reports each of its runs to a counter in this process
(``qinling_testing.run_counter``), so runs are counted by what ran, not by rows. After each
round, once every accepted execution has ended and the queues are empty:

- a POST answered 201 has exactly one execution, which succeeded, and ran exactly once;
- a POST answered 503, or refused before the gateway read it (the gateway was down), has no
  execution and never ran;
- a POST whose connection broke with the gateway's death got no answer: its outcome is
  unknown to its client, and it made at most one execution that ran at most once;
- no run of an earlier round came late (e.g. from a killed execution service's orphan
  worker): its runs are counted again after each round.

When the execution service is killed, the runs its workers have go on (the workers linger as
orphans) and the service, started again, takes their results from them instead of running
them twice (``docs/architecture.md``, "Exactly one execution per accepted request").
"""
import pytest

from qinling_testing.api_client import ApiClient
from qinling_testing.fault_checks import settled
from qinling_testing.platform import healthy_platform
from qinling_testing.post_rounds import ROUND_DEADLINE, Round, check, kill_during_posts

KILLED = ("execution", "function", "trigger", "storage", "api")


@pytest.fixture(scope="module")
def platform():
    with healthy_platform(conf_overrides={"local": {"allow_network": "true"}}) as running:
        yield running


@pytest.fixture(scope="module")
def checked():
    """``{n: runs}`` of every POST checked by the rounds so far."""
    return {}


@pytest.mark.parametrize("service", KILLED)
def test_a_killed_service_loses_and_repeats_nothing(platform, counter, checked, function_id,
                                                    service):
    round_ = Round(platform.url, function_id, counter, first=KILLED.index(service) * 1_000_000)
    down = kill_during_posts(platform, service, round_)
    api = ApiClient(platform.url)
    try:
        rows = settled(platform, api, function_id, round_.accepted, ROUND_DEADLINE)
        figures = check(round_, rows, counter, service)
    finally:
        api.close()
    late = {n: (runs, counter.runs[n]) for n, runs in checked.items() if counter.runs[n] != runs}
    assert not late, f"runs of earlier rounds came late (n: (then, now)): {late}"
    checked.update({n: counter.runs[n] for n in round_.answers})
    print(f"\n{service} killed, serving again after {down:.1f} s: {dict(figures)}")
