"""The pure scaling decisions, table by table."""
import pytest

from qinling_execution import scaling

POLICY = scaling.Policy(concurrency=3, max_burst=4)


@pytest.mark.parametrize("demand, workers, added", [
    (0, 0, 0),    # nothing to run, nothing to start
    (1, 0, 1),    # a first execution gets a first worker
    (3, 1, 0),    # tempest: 3 concurrent executions fit one worker
    (4, 1, 1),    # Qinling's rule: running / workers > concurrency -> one more
    (6, 2, 0),    # tempest: 6 concurrent executions fit two workers
    (6, 0, 2),    # a burst: six waiting at once start two workers together
    (7, 2, 1),
    (10, 1, 3),
    (50, 0, 4),   # a spike is capped at max_burst per decision...
    (50, 4, 4),   # ...and the next decision adds the next burst
    (50, 17, 0),  # 17 workers hold 51
    (2, 5, 0),    # more workers than needed is never a reason to add
])
def test_workers_to_add(demand, workers, added):
    assert scaling.workers_to_add(demand, workers, POLICY) == added


@pytest.mark.parametrize("loads, picked", [
    ({"b": 1, "a": 2, "c": 1}, "b"),   # least busy
    ({"b": 0, "a": 0}, "a"),           # ties go to the first name: light load gathers
    ({"only": 7}, "only"),
])
def test_pick_worker(loads, picked):
    assert scaling.pick_worker(loads) == picked


@pytest.mark.parametrize("activity, idle", [
    ({}, []),
    ({"a": (0, 100.0)}, ["a"]),                   # idle 60 s: goes, scale to zero
    ({"a": (0, 141.0)}, []),                      # idle 19 s: stays
    ({"a": (1, 0.0)}, []),                        # busy, however long ago it started
    ({"a": (0, 140.0), "b": (0, 150.0), "c": (2, 0.0)}, ["a"]),  # exactly 20 s counts
    ({"b": (0, 0.0), "a": (0, 0.0)}, ["a", "b"]),  # every worker of a function may go
])
def test_idle_workers(activity, idle):
    assert scaling.idle_workers(activity, now=160.0, expiration=20.0) == idle


@pytest.mark.parametrize("loads, count, removed", [
    ({}, 3, []),
    ({"a": 0}, 1, []),                               # the last worker always stays
    ({"a": 0, "b": 0, "c": 0}, 1, ["c"]),            # ties: the last name goes first
    ({"a": 0, "b": 0, "c": 0}, 5, ["c", "b"]),       # never below one
    ({"a": 0, "b": 3, "c": 1}, 2, ["a", "c"]),       # least busy first
    ({"a": 2, "b": 2}, 1, ["b"]),
])
def test_workers_to_remove(loads, count, removed):
    assert scaling.workers_to_remove(loads, count) == removed


@pytest.mark.parametrize("idle, size, missing", [(0, 2, 2), (1, 2, 1), (2, 2, 0), (5, 2, 0),
                                                 (0, 0, 0)])
def test_pool_shortfall(idle, size, missing):
    assert scaling.pool_shortfall(idle, size) == missing


@pytest.mark.parametrize("bad", [{"concurrency": 0}, {"max_burst": 0}, {"pool_size": -1},
                                 {"idle_expiration": -1}])
def test_policy_refuses_impossible_numbers(bad):
    with pytest.raises(ValueError):
        scaling.Policy(**bad)
