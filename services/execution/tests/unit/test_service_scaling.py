"""The scaling RPCs (scale_up, scale_down, detach of a function version) and the upkeep timer,
with worker_factory, the fake orchestrator and the in-memory etcd."""
import pytest
from service_harness import Ports, make_service, spec

from qinling_execution.models import Runtime
from qinling_shared.exceptions import InvalidInput, NotFound


@pytest.fixture
def live(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"]))


@pytest.fixture
def version_1(functions, runtime):
    return functions.add(spec(runtime_id=runtime["id"], version=1))


def worker_names(service, version=0):
    return sorted(w["worker_name"] for w in service.list_workers("f1", version))


def test_scale_up_adds_workers_and_the_list_shows_them(service, live):
    assert service.create_execution({"function_id": "f1"})["status"] == "success"
    started = service.scale_up_function("f1", 0, 2)
    assert len(started) == 2
    assert len(worker_names(service)) == 3 and set(started) < set(worker_names(service))


def test_scale_down_keeps_one_worker(service, live):
    service.scale_up_function("f1", 0, 3)
    removed = service.scale_down_function("f1", 0, 5)
    assert len(removed) == 2 and len(worker_names(service)) == 1
    assert service.scale_down_function("f1", 0, 1) == []


def test_detach_releases_every_worker_and_the_next_execution_starts_afresh(service, ports, live):
    service.create_execution({"function_id": "f1"})
    service.scale_up_function("f1", 0, 1)
    old = worker_names(service)
    assert service.detach_function("f1", 0) is None
    assert worker_names(service) == [] and ports.orchestrator.workers == {}
    assert service.create_execution({"function_id": "f1"})["status"] == "success"
    assert len(worker_names(service)) == 1 and not set(worker_names(service)) & set(old)


def test_version_operations_touch_that_version_only(service, live, version_1):
    service.scale_up_function("f1", 0, 1)
    service.scale_up_function("f1", 1, 2)
    service.detach_function("f1", 1)
    assert worker_names(service, 1) == [] and len(worker_names(service, 0)) == 1
    service.scale_up_function("f1", 1, 1)
    service.detach_function("f1", 0)
    assert len(worker_names(service, 1)) == 1


@pytest.mark.parametrize("count", [0, -1, 101, "2", 1.5, True, None])
def test_a_bad_count_is_refused(service, live, count):
    with pytest.raises(InvalidInput, match="Invalid count"):
        service.scale_up_function("f1", 0, count)
    with pytest.raises(InvalidInput, match="Invalid count"):
        service.scale_down_function("f1", 0, count)


@pytest.mark.parametrize("version", [-1, "x", "-1", None, True])
def test_a_bad_version_is_refused(service, live, version):
    for call in (lambda: service.scale_up_function("f1", version, 1),
                 lambda: service.scale_down_function("f1", version, 1),
                 lambda: service.detach_function("f1", version),
                 lambda: service.list_workers("f1", version)):
        with pytest.raises(InvalidInput, match="Invalid function version"):
            call()


def test_unknown_functions_and_versions_are_not_found(service, live):
    for call in (lambda: service.scale_up_function("nope", 0, 1),
                 lambda: service.scale_down_function("nope", 0, 1),
                 lambda: service.detach_function("nope", 0)):
        with pytest.raises(NotFound, match=r"Function not found \[id=nope\]"):
            call()
    for call in (lambda: service.scale_up_function("f1", 4, 1),
                 lambda: service.scale_down_function("f1", 4, 1),
                 lambda: service.detach_function("f1", 4)):
        with pytest.raises(NotFound, match="FunctionVersion not found"):
            call()


def test_another_projects_function_is_not_found(session, ports, functions, live):
    stranger = make_service(session, ports, functions, project="p2")
    with pytest.raises(NotFound):
        stranger.scale_up_function("f1", 0, 1)
    with pytest.raises(NotFound):
        stranger.detach_function("f1", 0)
    admin = make_service(session, ports, functions, project="p2", admin=True)
    assert len(admin.scale_up_function("f1", 0, 1)) == 1


def test_image_functions_have_no_workers_to_scale(service, functions):
    functions.add(spec(source="image", runtime_id=None))
    with pytest.raises(InvalidInput, match="image functions have no workers"):
        service.scale_up_function("f1", 0, 1)


# -- the upkeep timer -----------------------------------------------------------------------

class Clock:
    now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def pooled():
    return Ports(pool_size=2, idle_expiration=600, clock=Clock())


def test_upkeep_fills_the_warm_pools_of_available_runtimes(session, pooled, functions):
    service = make_service(session, pooled, functions)
    available = service.create_runtime({"image": "python3"})
    broken = service.create_runtime({"image": "python3"})
    session.get(Runtime, broken["id"]).status = "error"
    session.commit()
    service.upkeep()
    assert len(pooled.warm_pool.idle(available["id"])) == 2
    assert pooled.warm_pool.idle(broken["id"]) == []
    assert service.get_runtime_pool(available["id"])["capacity"] == {"total": 2, "available": 2}


def test_upkeep_scales_idle_functions_to_zero(session, pooled, functions):
    service = make_service(session, pooled, functions)
    runtime = service.create_runtime({"image": "python3"})
    functions.add(spec(runtime_id=runtime["id"]))
    service.upkeep()
    service.create_execution({"function_id": "f1"})
    assert len(worker_names(service)) == 1
    pooled.placement.clock.now += 599
    service.upkeep()
    assert len(worker_names(service)) == 1
    pooled.placement.clock.now += 1
    service.upkeep()
    assert worker_names(service) == []
    assert len(pooled.warm_pool.idle(runtime["id"])) == 2  # the warm pool stays full


def test_a_version_in_digits_is_the_version(service, live):
    """The gateway passes a URL's ``{version}`` on as text."""
    assert service.list_workers("f1", "0") == service.list_workers("f1", 0)
