"""The worker map against a real etcd (through etcd3gw, under eventlet), plain and over TLS
with client certificates (the ``etcd`` fixture is both): the watch-fed view shared by
replicas, owners told about removals, leases, locks, and a restart's rebuild."""
import uuid

import eventlet
import pytest

from service_harness import Ports

from qinling_execution.etcd_store import EtcdStore
from qinling_execution.orchestrators import Limits, Worker
from qinling_execution.orchestrators.fake import FakeOrchestrator
from qinling_execution.worker_map import WorkerMap
from qinling_shared.exceptions import Unavailable
from qinling_testing.ports import free_ports

RUNTIME = {"id": "rt-1", "image": "python3"}
LIMITS = Limits(cpu=100, memory_size=33554432)
DEADLINE = 10.0


@pytest.fixture
def prefix():
    return f"/test-{uuid.uuid4().hex[:8]}/"


@pytest.fixture
def new_map(etcd, prefix):
    """``new_map(owner, **kwargs)``: a started WorkerMap on the real etcd; stopped after."""
    made = []

    def new(owner, on_removed=None, **kwargs):
        store = EtcdStore.connect(etcd.settings())
        worker_map = WorkerMap(store, prefix, owner=owner, **kwargs)
        worker_map.start(on_removed)
        made.append(worker_map)
        return worker_map
    yield new
    for worker_map in made:
        worker_map.stop()


class Removals:
    def __init__(self):
        self.seen = []
        self.event = eventlet.Event()

    def __call__(self, function_id, version, name):
        self.seen.append((function_id, version, name))
        if not self.event.ready():
            self.event.send()

    def wait(self):
        with eventlet.Timeout(DEADLINE):
            self.event.wait()
        return self.seen


def worker(name, function_id="f", version=0):
    return Worker(name, f"http://{name}", "rt-1", function_id, version)


def eventually(check):
    """Poll ``check()`` (a watch delivers in the background) until true or the deadline."""
    with eventlet.Timeout(DEADLINE):
        while not check():
            eventlet.sleep(0.01)


def test_a_replicas_view_follows_the_others_writes(new_map):
    a, b = new_map("a"), new_map("b")
    a.add(worker("w1", "f_1"))
    a.add(worker("w2", "f_10"))
    eventually(lambda: len(b.all()) == 2)
    assert b.for_function("f_1", 0) == [{"name": "w1", "url": "http://w1", "runtime_id": "rt-1",
                                         "owner": "a"}]
    a.clear_function("f_1", 0)  # f_1 is no prefix of f_10
    eventually(lambda: [n for _, _, n, _ in b.all()] == ["w2"])


def test_a_late_replica_loads_what_is_there(new_map):
    a = new_map("a")
    a.add(worker("w1", "f", 3))
    assert [(f, v, n) for f, v, n, _ in new_map("b").all()] == [("f", 3, "w1")]


def test_the_owner_hears_that_another_replica_removed_its_worker(new_map):
    removals = Removals()
    a = new_map("a", removals)
    b = new_map("b")
    a.add(worker("w1", "f", 2))
    eventually(lambda: b.for_function("f", 2))
    b.remove("f", 2, "w1")
    assert removals.wait() == [("f", 2, "w1")]
    assert a.for_function("f", 2) == []


def test_a_dead_replicas_keys_go_with_its_lease_while_a_live_ones_stay(new_map):
    removals = Removals()
    live = new_map("live", lease_ttl=2)
    dead = new_map("dead", removals, lease_ttl=2)  # never renewed: a replica that died
    live.add(worker("w-live"))
    dead.add(worker("w-dead"))
    with eventlet.Timeout(DEADLINE):
        while not removals.event.ready():
            live.keep_alive()
            eventlet.sleep(0.1)
    assert removals.seen == [("f", 0, "w-dead")]
    # the live replica hears the deletion on its own watch, maybe a moment later
    eventually(lambda: [w["name"] for w in live.for_function("f", 0)] == ["w-live"])


def test_revoking_a_lease_that_is_already_gone_is_no_error(etcd, prefix):
    store = EtcdStore.connect(etcd.settings())
    lease = store.grant(60)
    store.put(prefix + "k", "v", lease)
    store.revoke(lease)
    store.revoke(lease)  # as when a replica stops after its lease expired
    assert store.load(prefix)[1] == []


def test_a_lost_watch_is_reloaded_and_missed_removals_are_heard(new_map):
    removals = Removals()
    a = new_map("a", removals)
    b = new_map("b")
    a.add(worker("w1"))
    a.add(worker("w2"))
    eventually(lambda: len(b.all()) == 2)
    a._watch.cancel()         # the stream broke
    b.remove("f", 0, "w1")    # a misses this
    a.keep_alive()
    assert removals.seen == [("f", 0, "w1")]
    b.remove("f", 0, "w2")    # and watches again
    eventually(lambda: len(removals.seen) == 2)
    assert removals.seen == [("f", 0, "w1"), ("f", 0, "w2")]


def test_the_lock_is_exclusive_and_bounded(new_map):
    a = new_map("a")
    b = new_map("b", lock_attempts=3, lock_interval=0.01)
    with a.locked("f", 1):
        with pytest.raises(Unavailable, match="being changed"):
            with b.locked("f", 1):
                pass
    with b.locked("f", 1):
        pass


def test_a_restart_rebuilds_from_etcd_and_reaps(etcd, prefix):
    def replica(owner, orchestrator):
        store = EtcdStore.connect(etcd.settings())
        made = Ports(orchestrator, WorkerMap(store, prefix, owner=owner))
        made.start()
        return made

    orchestrator = FakeOrchestrator()
    first_life, other = replica("a", orchestrator), replica("b", FakeOrchestrator())
    live, dead = (first_life.placement.scale_up(RUNTIME, fid, 0, LIMITS, 1)[0].name for fid in "fg")
    theirs = other.placement.scale_up(RUNTIME, "h", 0, LIMITS, 1)[0].name
    del orchestrator.workers[dead]
    orchestrator.start_idle_worker("rt-1", "python3", "orphan")
    first_life.worker_map._watch.cancel()  # SIGKILL: no clean stop, its lease lives on

    second_life = replica("a", orchestrator)
    try:
        assert [w.name for w in second_life.placement.workers("f", 0)] == [live]
        assert second_life.placement.workers("g", 0) == []
        assert set(orchestrator.workers) == {live}
        eventually(lambda: sorted(n for _, _, n, _ in other.worker_map.all()) == sorted(
            [live, theirs]))
        assert theirs in other.orchestrator.workers
    finally:
        for made in (second_life, other):
            made.close()


def test_an_unreachable_etcd_is_unavailable():
    (port,) = free_ports(1)
    store = EtcdStore.connect({"host": "127.0.0.1", "port": port}, timeout=1)
    with pytest.raises(Unavailable, match="etcd is unavailable"):
        store.grant(10)
    with pytest.raises(Unavailable, match="etcd is unavailable"):
        store.try_lock("x", 10)


def test_the_tls_etcd_refuses_a_client_without_a_certificate(tls_etcd, prefix):
    """The https etcd checks client certificates: the same client without one is turned
    away in the TLS handshake, with one it is served."""
    without = EtcdStore.connect({**tls_etcd.settings(), "cert_file": None, "cert_key": None})
    with pytest.raises(Unavailable, match="etcd is unavailable") as refused:
        without.put(f"{prefix}k", "v")
    assert "bad certificate" in refused.value.__cause__.detail_text
    with_certificate = EtcdStore.connect(tls_etcd.settings())
    with_certificate.put(f"{prefix}k", "v")
    assert with_certificate.load(prefix)[1] == [(f"{prefix}k", "v")]
