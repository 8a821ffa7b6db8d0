from collections import namedtuple

from qinling_execution.workers import FakeEtcd, WorkerMap

W = namedtuple("W", "name url runtime_id function_id function_version")


def test_prefixes_do_not_collide():
    wm = WorkerMap(FakeEtcd(), "/q/")
    wm.add(W("w1", "http://a", "r", "f_1", 0))
    wm.add(W("w2", "http://b", "r", "f_10", 0))
    assert [w["name"] for w in wm.for_function("f_1", 0)] == ["w1"]
    wm.clear_function("f_1", 0)
    assert [w["name"] for w in wm.for_function("f_10", 0)] == ["w2"]


def test_all_and_remove():
    wm = WorkerMap(FakeEtcd(), "/q")
    worker = W("w1", "http://a", "r", "f", 2)
    wm.add(worker)
    assert wm.all() == [("f", 2, "w1", {"name": "w1", "url": "http://a", "runtime_id": "r"})]
    wm.remove(worker)
    assert wm.all() == []


def test_clear_all_versions_keeps_other_functions():
    wm = WorkerMap(FakeEtcd(), "/q/")
    for name, function_id, version in (("w1", "f_1", 0), ("w2", "f_1", 3), ("w3", "f_10", 0)):
        wm.add(W(name, "http://a", "r", function_id, version))
    wm.clear_all_versions("f_1")
    assert [(f, v, n) for f, v, n, _ in wm.all()] == [("f_10", 0, "w3")]
