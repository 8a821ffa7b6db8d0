"""The worker map over the in-memory etcd: key layout, the view, owners, leases and locks.
(The same against a real etcd: tests/interface/test_worker_map_etcd.py.)"""
import pytest
from fakes import FakeEtcd

from qinling_execution.orchestrators import Worker
from qinling_execution.worker_map import WorkerMap
from qinling_shared.exceptions import Unavailable


def worker(name, function_id="f", version=0, runtime_id="r"):
    return Worker(name, f"http://{name}", runtime_id, function_id, version)


class Removals(list):
    def __call__(self, function_id, version, name):
        self.append((function_id, version, name))


@pytest.fixture
def store():
    return FakeEtcd()


def replica(store, owner, **kwargs):
    removals = Removals()
    worker_map = WorkerMap(store, "/q/", owner=owner, **kwargs)
    worker_map.start(on_removed=removals)
    return worker_map, removals


def test_prefixes_do_not_collide(store):
    wm = WorkerMap(store, "/q/")
    wm.add(worker("w1", "f_1"))
    wm.add(worker("w2", "f_10"))
    assert [w["name"] for w in wm.for_function("f_1", 0)] == ["w1"]
    wm.clear_function("f_1", 0)
    assert [w["name"] for w in wm.for_function("f_10", 0)] == ["w2"]
    assert list(store.data) == ["/q/workers/f_10/0/w2"]


def test_versions_do_not_collide(store):
    wm = WorkerMap(store, "/q/")
    wm.add(worker("w1", "f", 1))
    wm.add(worker("w2", "f", 10))
    wm.clear_function("f", 1)
    assert [(f, v, n) for f, v, n, _ in wm.all()] == [("f", 10, "w2")]


def test_records_name_their_owner(store):
    wm = WorkerMap(store, "/q", owner="replica-a")
    wm.add(worker("w1", "f", 2))
    assert wm.all() == [("f", 2, "w1", {"name": "w1", "url": "http://w1", "runtime_id": "r",
                                        "owner": "replica-a"})]
    wm.remove("f", 2, "w1")
    assert wm.all() == [] and store.data == {}


def test_clear_all_versions_keeps_other_functions(store):
    wm = WorkerMap(store, "/q/")
    for name, function_id, version in (("w1", "f_1", 0), ("w2", "f_1", 3), ("w3", "f_10", 0)):
        wm.add(worker(name, function_id, version))
    wm.clear_all_versions("f_1")
    assert [(f, v, n) for f, v, n, _ in wm.all()] == [("f_10", 0, "w3")]


def test_the_view_holds_every_replicas_workers(store):
    a, _ = replica(store, "a")
    a.add(worker("w1"))
    b, _ = replica(store, "b")  # loads what is there
    b.add(worker("w2"))         # a hears it through its watch
    assert [w["name"] for w in a.for_function("f", 0)] == ["w1", "w2"]
    assert [(w["name"], w["owner"]) for w in b.for_function("f", 0)] == [("w1", "a"), ("w2", "b")]


def test_only_the_owner_hears_that_its_worker_was_removed_by_another(store):
    a, removed_in_a = replica(store, "a")
    b, removed_in_b = replica(store, "b")
    a.add(worker("w1", "f", 4))
    b.add(worker("w2", "f", 4))
    b.remove("f", 4, "w1")  # e.g. b's scale_down chose a's worker
    assert removed_in_a == [("f", 4, "w1")] and removed_in_b == []
    b.clear_function("f", 4)  # a detach: b's own worker is b's business, already handled
    assert removed_in_b == [] and a.for_function("f", 4) == []


def test_a_replica_is_not_told_about_its_own_removals(store):
    a, removed = replica(store, "a")
    a.add(worker("w1"))
    a.remove("f", 0, "w1")
    a.add(worker("w2"))
    a.clear_function("f", 0)
    assert removed == []


def test_keys_go_with_the_lease_of_a_dead_replica(store):
    a, _ = replica(store, "a")
    b, removed_in_b = replica(store, "b")
    b.add(worker("w1"))
    store.expire(b._lease)
    assert a.for_function("f", 0) == []
    assert removed_in_b == [("f", 0, "w1")]  # a replica that lost its lease stops its workers


def test_keep_alive_renews_the_lease_and_takes_a_new_one_when_it_ran_out(store):
    now = [0.0]
    a, _ = replica(store, "a", lease_ttl=30, clock=lambda: now[0])
    first = a._lease
    now[0] = 9.0
    a.keep_alive()
    assert a._lease == first           # not due yet
    store.expire(first)
    now[0] = 10.0
    a.keep_alive()
    assert a._lease != first and a._lease in store.leases
    a.add(worker("w1"))                # writes work again
    assert store.data["/q/workers/f/0/w1"][1] == a._lease


def test_a_lost_watch_is_replaced_and_missed_removals_are_heard(store):
    a, removed = replica(store, "a")
    b, _ = replica(store, "b")
    a.add(worker("w1"))
    a.add(worker("w2"))
    store.break_watches()
    b.remove("f", 0, "w1")      # a misses this event...
    b.add(worker("w3"))
    a.keep_alive()              # ...and catches up on reload
    assert removed == [("f", 0, "w1")]
    assert [w["name"] for w in a.for_function("f", 0)] == ["w2", "w3"]
    b.remove("f", 0, "w2")      # and it watches again
    assert removed == [("f", 0, "w1"), ("f", 0, "w2")]


def test_keys_of_another_layout_are_ignored(store):
    store.put("/q/workers/stray", "{}")
    store.put("/q/workers/f/notaversion/w", "{}")
    a, _ = replica(store, "a")
    assert a.all() == []


def test_stop_revokes_the_lease(store):
    a, _ = replica(store, "a")
    a.add(worker("w1"))
    a.stop()
    assert store.data == {} and store.leases == set()
    a.keep_alive()  # stopped: nothing to do, no error


def test_lock_is_exclusive_and_released(store):
    a = WorkerMap(store, "/q/", lock_attempts=3, lock_interval=0.001)
    b = WorkerMap(store, "/q/", lock_attempts=3, lock_interval=0.001)
    with a.locked("f", 1):
        with pytest.raises(Unavailable, match="function f version 1"):
            with b.locked("f", 1):
                pass
        with b.locked("f", 10):  # another version: another lock
            pass
    with b.locked("f", 1):
        assert list(store.locks) == ["q/function/f/1"]
    assert store.locks == {}
