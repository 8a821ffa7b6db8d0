"""Warm pools with the fake orchestrator; refills run at once (``spawn`` calls through)."""
import pytest

from qinling_execution.orchestrators.fake import FakeOrchestrator
from qinling_execution.pools import WarmPool

RUNTIME = {"id": "rt-1", "image": "python3"}


def run_now(function, *args):
    function(*args)


@pytest.fixture
def orchestrator():
    return FakeOrchestrator()


@pytest.fixture
def pool(orchestrator):
    return WarmPool(orchestrator, 2, spawn=run_now)


def idle_in(orchestrator):
    return sorted(w.name for w in orchestrator.workers.values() if w.idle)


def test_keep_fills_every_available_runtime(pool, orchestrator):
    runtimes = [RUNTIME, {"id": "rt-2", "image": "nodejs"}]
    pool.keep(runtimes)
    assert len(pool.idle("rt-1")) == len(pool.idle("rt-2")) == 2
    assert idle_in(orchestrator) == sorted(pool.idle("rt-1") + pool.idle("rt-2"))
    assert orchestrator.pool_info("rt-1").available == 2
    pool.keep(runtimes)  # full: nothing more starts
    assert len(orchestrator.workers) == 4


def test_take_hands_out_an_idle_worker_and_refills(pool, orchestrator):
    pool.keep([RUNTIME])
    before = pool.idle("rt-1")
    taken = pool.take(RUNTIME)
    assert taken in before
    assert taken not in pool.idle("rt-1") and len(pool.idle("rt-1")) == 2
    assert orchestrator.workers[taken].idle  # still idle until the caller binds it


def test_take_from_an_empty_pool_gives_none_and_fills_it(pool):
    assert pool.take(RUNTIME) is None
    assert len(pool.idle("rt-1")) == 2


def test_no_pool_when_the_size_is_zero(orchestrator):
    pool = WarmPool(orchestrator, 0, spawn=run_now)
    pool.keep([RUNTIME])
    assert pool.take(RUNTIME) is None and orchestrator.workers == {}


def test_idle_workers_of_a_previous_image_are_not_taken_and_get_replaced(pool, orchestrator):
    pool.keep([RUNTIME])
    old = pool.idle("rt-1")
    upgraded = {"id": "rt-1", "image": "openstackqinling/python3-runtime:1"}
    assert pool.take(upgraded) not in old
    pool.keep([upgraded])
    assert not set(old) & set(orchestrator.workers)
    assert len(pool.idle("rt-1")) == 2


def test_pools_of_runtimes_no_longer_available_are_emptied(pool, orchestrator):
    pool.keep([RUNTIME])
    pool.keep([])
    assert pool.idle("rt-1") == [] and orchestrator.workers == {}


def test_a_failing_start_ends_the_refill_and_the_next_upkeep_retries(pool, orchestrator):
    orchestrator.fail_next_start("no room")
    pool.keep([RUNTIME])
    assert pool.idle("rt-1") == []
    pool.keep([RUNTIME])
    assert len(pool.idle("rt-1")) == 2


def test_one_refill_per_runtime_at_a_time(orchestrator):
    pending = []
    pool = WarmPool(orchestrator, 2, spawn=lambda function, *args: pending.append(args))
    pool.take(RUNTIME)
    pool.take(RUNTIME)
    assert pool.refill(*pending[0]) == 2
    pool._filling.add("rt-1")  # a refill in progress elsewhere
    assert pool.refill(RUNTIME) == 0


def test_dead_idle_workers_are_forgotten(pool, orchestrator):
    pool.keep([RUNTIME])
    dead, alive = pool.idle("rt-1")
    assert pool.idle_names() == {dead, alive}
    pool.forget({dead})
    assert pool.idle("rt-1") == [alive]
