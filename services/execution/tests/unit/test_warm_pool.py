"""Warm pools with the fake orchestrator; refills run at once (``spawn`` calls through)."""
import pytest

from qinling_execution.orchestrators.fake import FakeOrchestrator
from qinling_execution.warm_pool import WarmPool

RUNTIME = {"id": "rt-1", "image": "python3"}


def run_now(function, *args):
    function(*args)


@pytest.fixture
def orchestrator():
    return FakeOrchestrator()


@pytest.fixture
def warm_pool(orchestrator):
    return WarmPool(orchestrator, 2, spawn=run_now)


def idle_in(orchestrator):
    return sorted(w.name for w in orchestrator.workers.values() if w.idle)


def test_keep_fills_every_available_runtime(warm_pool, orchestrator):
    runtimes = [RUNTIME, {"id": "rt-2", "image": "nodejs"}]
    warm_pool.keep(runtimes)
    assert len(warm_pool.idle("rt-1")) == len(warm_pool.idle("rt-2")) == 2
    assert idle_in(orchestrator) == sorted(warm_pool.idle("rt-1") + warm_pool.idle("rt-2"))
    assert orchestrator.pool_info("rt-1").available == 2
    warm_pool.keep(runtimes)  # full: nothing more starts
    assert len(orchestrator.workers) == 4


def test_take_hands_out_an_idle_worker_and_refills(warm_pool, orchestrator):
    warm_pool.keep([RUNTIME])
    before = warm_pool.idle("rt-1")
    taken = warm_pool.take(RUNTIME)
    assert taken in before
    assert taken not in warm_pool.idle("rt-1") and len(warm_pool.idle("rt-1")) == 2
    assert orchestrator.workers[taken].idle  # still idle until the caller binds it


def test_take_from_an_empty_warm_pool_gives_none_and_fills_it(warm_pool):
    assert warm_pool.take(RUNTIME) is None
    assert len(warm_pool.idle("rt-1")) == 2


def test_no_warm_pool_when_the_size_is_zero(orchestrator):
    warm_pool = WarmPool(orchestrator, 0, spawn=run_now)
    warm_pool.keep([RUNTIME])
    assert warm_pool.take(RUNTIME) is None and orchestrator.workers == {}


def test_idle_workers_of_a_previous_image_are_not_taken_and_get_replaced(warm_pool,
                                                                         orchestrator):
    warm_pool.keep([RUNTIME])
    old = warm_pool.idle("rt-1")
    upgraded = {"id": "rt-1", "image": "openstackqinling/python3-runtime:1"}
    assert warm_pool.take(upgraded) not in old
    warm_pool.keep([upgraded])
    assert not set(old) & set(orchestrator.workers)
    assert len(warm_pool.idle("rt-1")) == 2


def test_warm_pools_of_runtimes_no_longer_available_are_emptied(warm_pool, orchestrator):
    warm_pool.keep([RUNTIME])
    warm_pool.keep([])
    assert warm_pool.idle("rt-1") == [] and orchestrator.workers == {}


def test_a_failing_start_ends_the_refill_and_the_next_upkeep_retries(warm_pool, orchestrator):
    orchestrator.fail_next_start("no room")
    warm_pool.keep([RUNTIME])
    assert warm_pool.idle("rt-1") == []
    warm_pool.keep([RUNTIME])
    assert len(warm_pool.idle("rt-1")) == 2


def test_one_refill_per_runtime_at_a_time(orchestrator):
    pending = []
    warm_pool = WarmPool(orchestrator, 2, spawn=lambda function, *args: pending.append(args))
    warm_pool.take(RUNTIME)
    warm_pool.take(RUNTIME)
    assert warm_pool.refill(*pending[0]) == 2
    warm_pool._filling.add("rt-1")  # a refill in progress elsewhere
    assert warm_pool.refill(RUNTIME) == 0


def test_dead_idle_workers_are_forgotten(warm_pool, orchestrator):
    warm_pool.keep([RUNTIME])
    dead, alive = warm_pool.idle("rt-1")
    assert warm_pool.idle_names() == {dead, alive}
    warm_pool.forget({dead})
    assert warm_pool.idle("rt-1") == [alive]
