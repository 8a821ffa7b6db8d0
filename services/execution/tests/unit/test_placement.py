"""Placement with the fake orchestrator and the in-memory etcd: warm pools, scaling, reaping.

Each replica is the ports one replica's providers build (``service_harness.Ports``); replicas
share one FakeEtcd, and each has its own orchestrator, as local drivers do. Clocks are
injected; warm pool refills run at once.
"""
import contextlib

import eventlet
import pytest

from fakes import FakeEtcd
from service_harness import Ports

from qinling_execution import worker_upkeep
from qinling_execution.orchestrators import Limits
from qinling_execution.orchestrators.fake import FakeOrchestrator
from qinling_execution.worker_map import WorkerMap
from qinling_shared.exceptions import Unavailable

RUNTIME = {"id": "rt-1", "image": "python3"}
LIMITS = Limits(cpu=200, memory_size=67108864)
EXPIRATION = 60.0


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def new_replica(store, owner="a", pool_size=0, concurrency=3, orchestrator=None, clock=None):
    replica = Ports(orchestrator, WorkerMap(store, "/q/", owner=owner), concurrency, pool_size,
                    EXPIRATION, clock or Clock())
    replica.start()
    return replica


@pytest.fixture
def store():
    return FakeEtcd()


@pytest.fixture
def clock():
    return Clock()


def hold(replica, count, function_id="f1", version=0):
    """Enter ``count`` executions of a function and keep them running."""
    stack = contextlib.ExitStack()
    for _ in range(count):
        stack.enter_context(replica.placement.worker_for(RUNTIME, function_id, version, LIMITS))
    return stack


def names(replica, function_id="f1", version=0):
    return sorted(w.name for w in replica.placement.workers(function_id, version))


def calls(replica, method):
    return [args for name, args in replica.orchestrator.calls if name == method]


# -- warm pools -----------------------------------------------------------------------------

def test_a_cold_start_binds_a_pooled_worker_and_the_pool_refills(store):
    replica = new_replica(store, pool_size=2)
    replica.warm_pool.keep([RUNTIME])
    pooled = replica.warm_pool.idle("rt-1")
    with hold(replica, 1):
        (name,) = names(replica)
    assert name in pooled
    assert calls(replica, "start_worker") == []  # no process started on the request path
    assert calls(replica, "bind_worker") == [(name, "f1", 0)]
    idle = replica.warm_pool.idle("rt-1")
    assert len(idle) == 2 and name not in idle
    assert [w["name"] for w in replica.worker_map.for_function("f1", 0)] == [name]


def test_without_a_pool_a_cold_start_starts_a_worker(store):
    replica = new_replica(store)
    with hold(replica, 1):
        pass
    assert len(calls(replica, "start_worker")) == 1 and calls(replica, "bind_worker") == []


def test_an_idle_worker_that_died_is_skipped(store):
    replica = new_replica(store, pool_size=2)
    replica.warm_pool.keep([RUNTIME])
    first = replica.warm_pool.idle("rt-1")[0]  # the one taken first
    del replica.orchestrator.workers[first]  # crashed behind the warm pool's back
    with hold(replica, 1):
        (name,) = names(replica)
    assert calls(replica, "bind_worker")[0][0] == first
    assert name != first and not replica.orchestrator.workers[name].idle


def test_idle_pool_workers_do_not_make_a_runtime_in_use(store):
    replica = new_replica(store, pool_size=2)
    replica.warm_pool.keep([RUNTIME])
    assert not replica.placement.runtime_in_use("rt-1")
    with hold(replica, 1):
        assert replica.placement.runtime_in_use("rt-1")


# -- scaling up -----------------------------------------------------------------------------

@pytest.mark.parametrize("concurrent, workers", [(1, 1), (3, 1), (4, 2), (6, 2), (7, 3)])
def test_workers_by_concurrency(store, concurrent, workers):
    replica = new_replica(store)
    with hold(replica, concurrent):
        assert len(names(replica)) == workers
        loads = sorted(replica.placement._load[n] for n in names(replica))
    assert sum(loads) == concurrent and max(loads) <= 3


class SlowOrchestrator(FakeOrchestrator):
    """Starts take a moment (they yield), and we count how many overlap."""

    def __init__(self):
        super().__init__()
        self.starting = self.most_at_once = 0

    def start_worker(self, *args):
        self.starting += 1
        self.most_at_once = max(self.most_at_once, self.starting)
        eventlet.sleep(0.01)
        self.starting -= 1
        return super().start_worker(*args)


def test_a_burst_of_waiting_executions_starts_several_workers_at_once(store):
    orchestrator = SlowOrchestrator()
    replica = new_replica(store, concurrency=1, orchestrator=orchestrator)
    release = eventlet.Event()
    placed = []

    def execution():
        with replica.placement.worker_for(RUNTIME, "f1", 0, LIMITS) as worker:
            placed.append(worker.name)
            release.wait()

    threads = [eventlet.spawn(execution) for _ in range(6)]
    with eventlet.Timeout(10):
        while len(placed) < 6:
            eventlet.sleep(0.005)
    assert len(set(placed)) == 6           # one execution per worker at concurrency 1
    assert orchestrator.most_at_once >= 2  # started together, not one by one
    release.send()
    for thread in threads:
        thread.wait()


def test_scale_up_adds_workers_pooled_first(store):
    replica = new_replica(store, pool_size=2)
    replica.warm_pool.keep([RUNTIME])
    started = replica.placement.scale_up(RUNTIME, "f1", 0, LIMITS, 3)
    assert sorted(w.name for w in started) == names(replica) and len(started) == 3
    assert len(calls(replica, "bind_worker")) >= 2
    assert len(replica.worker_map.for_function("f1", 0)) == 3
    # bound or started, each worker got the function's limits
    assert {replica.orchestrator.limits[w.name] for w in started} == {LIMITS}


def test_scale_up_that_cannot_start_anything_fails(store):
    replica = new_replica(store)
    replica.orchestrator.fail_next_start("no room")
    with pytest.raises(Unavailable, match="no room"):
        replica.placement.scale_up(RUNTIME, "f1", 0, LIMITS, 1)


# -- scaling down ---------------------------------------------------------------------------

def test_idle_workers_scale_to_zero_after_the_expiration(store, clock):
    replica = new_replica(store, clock=clock)
    with hold(replica, 1):
        (name,) = names(replica)
        clock.now += EXPIRATION * 2
        assert replica.placement.reap_idle() == []  # busy workers are never idle
    clock.now += EXPIRATION - 1
    assert replica.placement.reap_idle() == []
    clock.now += 1
    assert replica.placement.reap_idle() == [name]
    assert names(replica) == [] and replica.worker_map.all() == []
    assert replica.orchestrator.workers == {}
    with hold(replica, 1):  # the next execution starts afresh
        assert len(names(replica)) == 1


def test_light_load_gathers_on_one_worker_and_the_rest_are_reaped(store, clock):
    replica = new_replica(store, clock=clock)
    with hold(replica, 4):
        first, second = names(replica)
    for _ in range(3):
        clock.now += EXPIRATION / 2
        with hold(replica, 1):
            pass  # always the first worker: ties go to the first name
    assert replica.placement.reap_idle() == [second]
    assert names(replica) == [first]


def test_scale_down_keeps_one_worker_across_replicas(store):
    a, b = new_replica(store, "a"), new_replica(store, "b")
    a.placement.scale_up(RUNTIME, "f1", 0, LIMITS, 2)
    b.placement.scale_up(RUNTIME, "f1", 0, LIMITS, 1)
    removed = b.placement.scale_down("f1", 0, 5)
    assert len(removed) == 2
    left = a.worker_map.for_function("f1", 0)
    assert len(left) == 1 and b.worker_map.for_function("f1", 0) == left
    # each replica stopped its own chosen workers: a heard about its own through the watch
    running = set(a.orchestrator.workers) | set(b.orchestrator.workers)
    assert running == {left[0]["name"]}
    assert sorted(names(a) + names(b)) == [left[0]["name"]]


def test_scale_down_waits_for_the_cross_replica_lock(store):
    replica = new_replica(store)
    replica.worker_map.lock_attempts, replica.worker_map.lock_interval = 2, 0.001
    replica.placement.scale_up(RUNTIME, "f1", 0, LIMITS, 2)
    with WorkerMap(store, "/q/", owner="b").locked("f1", 0):
        with pytest.raises(Unavailable):
            replica.placement.scale_down("f1", 0, 1)
    assert replica.placement.scale_down("f1", 0, 1)


def test_scale_down_prefers_idle_workers_and_a_busy_one_stops_after_its_execution(store):
    a, b = new_replica(store, "a"), new_replica(store, "b")
    with hold(a, 1):
        (busy,) = names(a)
        a.placement.scale_up(RUNTIME, "f1", 0, LIMITS, 1)
        (idle,) = set(names(a)) - {busy}
        assert a.placement.scale_down("f1", 0, 1) == [idle]
        b.worker_map.remove("f1", 0, busy)  # another replica removes the busy one
        assert names(a) == [] and busy in a.orchestrator.workers  # still running
    assert a.orchestrator.workers == {}


def test_detach_on_one_replica_stops_every_replicas_workers(store):
    a, b = new_replica(store, "a"), new_replica(store, "b")
    for replica in (a, b):
        with hold(replica, 1):
            pass
    b.placement.drop_function("f1", 0)
    assert a.orchestrator.workers == b.orchestrator.workers == {}
    assert names(a) == names(b) == [] and a.worker_map.all() == []


def test_dead_workers_are_forgotten_and_replaced(store):
    replica = new_replica(store)
    with hold(replica, 1):
        (name,) = names(replica)
    del replica.orchestrator.workers[name]  # crashed
    assert replica.placement.reap_dead() == [name]
    assert replica.worker_map.all() == []
    with hold(replica, 1):
        assert names(replica) != [name] and len(names(replica)) == 1


# -- after a restart ------------------------------------------------------------------------

def test_a_restart_adopts_live_workers_reaps_dead_keys_and_orphans(store):
    orchestrator = FakeOrchestrator()
    before = new_replica(store, "a", orchestrator=orchestrator)
    other = new_replica(store, "b")
    for function_id in ("f1", "f2"):
        with hold(before, 1, function_id):
            pass
    with hold(other, 1, "f3"):
        pass
    (live,), (dead,) = names(before, "f1"), names(before, "f2")
    del orchestrator.workers[dead]                       # died with the old process
    orchestrator.start_idle_worker("rt-1", "python3", "orphan")  # nobody records it
    old_lease = before.worker_map._lease

    after = new_replica(store, "a", orchestrator=orchestrator)  # same replica id, new life
    assert names(after, "f1") == [live] and names(after, "f2") == []
    assert sorted(name for _, _, name, _ in after.worker_map.all()) == sorted(
        [live, names(other, "f3")[0]])
    assert "orphan" not in orchestrator.workers
    assert set(orchestrator.workers) == {live}
    store.expire(old_lease)  # the old life's lease runs out: the adopted key stays
    assert [r["name"] for r in other.worker_map.for_function("f1", 0)] == [live]
    with hold(after, 1, "f1"):
        assert names(after, "f1") == [live]  # and is used


def test_a_worker_started_while_the_orchestrator_lists_is_not_taken_for_dead(store):
    class Racing(FakeOrchestrator):
        racing = False

        def list_workers(self):
            answer = super().list_workers()
            if self.racing:  # another green thread starts a worker meanwhile
                replica.placement.scale_up(RUNTIME, "f1", 0, LIMITS, 1)
            return answer

    replica = new_replica(store, orchestrator=Racing())
    replica.orchestrator.racing = True
    assert replica.placement.reap_dead() == []
    assert len(names(replica)) == 1 and len(replica.worker_map.all()) == 1


def test_stray_keys_of_this_replica_are_removed(store):
    a, b = new_replica(store, "a"), new_replica(store, "b")
    with hold(a, 1):
        pass
    theirs = b.placement.scale_up(RUNTIME, "f1", 0, LIMITS, 1)[0]
    stray = FakeOrchestrator().start_worker("rt-1", "python3", "f1", 0, "stray")
    a.worker_map.add(stray)  # e.g. its removal failed while etcd was down
    assert a.placement.reap_strays() == ["stray"]
    assert sorted(r["name"] for r in a.worker_map.for_function("f1", 0)) == sorted(
        names(a) + [theirs.name])


class BrokenEtcd(FakeEtcd):
    """etcd that went away after the replica started."""
    broken = False

    def _fail(self, *args, **kwargs):
        raise Unavailable("etcd is unavailable: connection refused")

    def __getattribute__(self, name):
        if name in ("put", "delete", "delete_prefix", "refresh", "load", "try_lock") and \
                object.__getattribute__(self, "broken"):
            return object.__getattribute__(self, "_fail")
        return object.__getattribute__(self, name)


def test_without_etcd_executions_still_run_and_the_upkeep_goes_on(clock):
    store = BrokenEtcd()
    replica = new_replica(store, pool_size=1, clock=clock)
    store.broken = True
    with hold(replica, 1):  # a cold start: the worker cannot be recorded, yet it serves
        (name,) = names(replica)
    clock.now += EXPIRATION
    # lease renewal fails; the other steps still run
    worker_upkeep.keep([RUNTIME], replica.worker_map, replica.placement, replica.warm_pool)
    assert names(replica) == [] and name not in replica.orchestrator.workers
    assert len(replica.warm_pool.idle("rt-1")) == 1
    with pytest.raises(Unavailable, match="etcd is unavailable"):
        replica.placement.scale_down("f1", 0, 1)
