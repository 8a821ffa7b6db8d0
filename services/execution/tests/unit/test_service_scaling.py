"""The scaling RPCs (scale_up, scale_down, detach of a function version) and the upkeep timer,
with worker_factory, the fake orchestrator and the in-memory etcd."""
import pytest
from service_harness import Ports, make_service, spec

from qinling_execution.models import Runtime
from qinling_shared.exceptions import Forbidden, InvalidInput, NotFound


@pytest.fixture
def live(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"]))


@pytest.fixture
def version_1(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"], version=1))


def worker_names(admin, version=0):
    return sorted(w["worker_name"] for w in admin.list_workers("f1", version))


def test_scale_up_adds_workers_and_the_list_shows_them(admin, live):
    assert admin.create_execution({"function_id": "f1"})["status"] == "success"
    started = admin.scale_up_function("f1", 0, 2)
    assert len(started) == 2
    assert len(worker_names(admin)) == 3 and set(started) < set(worker_names(admin))


def test_scale_down_keeps_one_worker(admin, live):
    admin.scale_up_function("f1", 0, 3)
    removed = admin.scale_down_function("f1", 0, 5)
    assert len(removed) == 2 and len(worker_names(admin)) == 1
    assert admin.scale_down_function("f1", 0, 1) == []


def test_detach_releases_every_worker_and_the_next_execution_starts_afresh(admin, ports, live):
    admin.create_execution({"function_id": "f1"})
    admin.scale_up_function("f1", 0, 1)
    old = worker_names(admin)
    assert admin.detach_function("f1", 0) is None
    assert worker_names(admin) == [] and ports.orchestrator.workers == {}
    assert admin.create_execution({"function_id": "f1"})["status"] == "success"
    assert len(worker_names(admin)) == 1 and not set(worker_names(admin)) & set(old)


def test_version_operations_touch_that_version_only(admin, live, version_1):
    admin.scale_up_function("f1", 0, 1)
    admin.scale_up_function("f1", 1, 2)
    admin.detach_function("f1", 1)
    assert worker_names(admin, 1) == [] and len(worker_names(admin, 0)) == 1
    admin.scale_up_function("f1", 1, 1)
    admin.detach_function("f1", 0)
    assert len(worker_names(admin, 1)) == 1


@pytest.mark.parametrize("count", [0, -1, 101, "2", 1.5, True, None])
def test_a_bad_count_is_refused(admin, live, count):
    with pytest.raises(InvalidInput, match="Invalid count"):
        admin.scale_up_function("f1", 0, count)
    with pytest.raises(InvalidInput, match="Invalid count"):
        admin.scale_down_function("f1", 0, count)


@pytest.mark.parametrize("version", [-1, "x", "-1", None, True])
def test_a_bad_version_is_refused(admin, live, version):
    for call in (lambda: admin.scale_up_function("f1", version, 1),
                 lambda: admin.scale_down_function("f1", version, 1),
                 lambda: admin.detach_function("f1", version),
                 lambda: admin.list_workers("f1", version)):
        with pytest.raises(InvalidInput, match="Invalid function version"):
            call()


def test_unknown_functions_and_versions_are_not_found(admin, live):
    for call in (lambda: admin.scale_up_function("nope", 0, 1),
                 lambda: admin.scale_down_function("nope", 0, 1),
                 lambda: admin.detach_function("nope", 0)):
        with pytest.raises(NotFound, match=r"Function not found \[id=nope\]"):
            call()
    for call in (lambda: admin.scale_up_function("f1", 4, 1),
                 lambda: admin.scale_down_function("f1", 4, 1),
                 lambda: admin.detach_function("f1", 4)):
        with pytest.raises(NotFound, match="FunctionVersion not found"):
            call()


def test_workers_and_scaling_are_admin_only(session, ports, functions, live, version_1):
    owner = make_service(session, ports, functions)
    for version in (0, 1):
        for call in (lambda: owner.scale_up_function("f1", version, 1),
                     lambda: owner.scale_down_function("f1", version, 1),
                     lambda: owner.detach_function("f1", version),
                     lambda: owner.list_workers("f1", version)):
            with pytest.raises(Forbidden, match="^Operation not allowed$"):
                call()
    admin = make_service(session, ports, functions, project="p2", admin=True)
    assert len(admin.scale_up_function("f1", 0, 1)) == 1


def test_image_functions_have_no_workers_to_scale(admin, functions):
    functions.add(spec(source="image", runtime_id=None))
    with pytest.raises(InvalidInput, match="image functions have no workers"):
        admin.scale_up_function("f1", 0, 1)


# -- the upkeep timer -----------------------------------------------------------------------

class Clock:
    now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def pooled():
    return Ports(pool_size=2, idle_expiration=600, clock=Clock())


def test_upkeep_fills_the_warm_pools_of_available_runtimes(session, pooled, functions):
    admin = make_service(session, pooled, functions, admin=True)
    available = admin.create_runtime({"image": "python3"})
    broken = admin.create_runtime({"image": "python3"})
    session.get(Runtime, broken["id"]).status = "error"
    session.commit()
    admin.upkeep()
    assert len(pooled.warm_pool.idle(available["id"])) == 2
    assert pooled.warm_pool.idle(broken["id"]) == []
    assert admin.get_runtime_pool(available["id"])["capacity"] == {"total": 2, "available": 2}


def test_upkeep_scales_idle_functions_to_zero(session, pooled, functions):
    admin = make_service(session, pooled, functions, admin=True)
    runtime = admin.create_runtime({"image": "python3"})
    functions.add(spec(runtime_id=runtime["id"]))
    admin.upkeep()
    admin.create_execution({"function_id": "f1"})
    assert len(worker_names(admin)) == 1
    pooled.placement.clock.now += 599
    admin.upkeep()
    assert len(worker_names(admin)) == 1
    pooled.placement.clock.now += 1
    admin.upkeep()
    assert worker_names(admin) == []
    assert len(pooled.warm_pool.idle(runtime["id"])) == 2  # the warm pool stays full


def test_a_version_in_digits_is_the_version(admin, live):
    """The gateway passes a URL's ``{version}`` on as text."""
    assert admin.list_workers("f1", "0") == admin.list_workers("f1", 0)
