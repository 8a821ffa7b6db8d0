"""Image functions on worker_factory with the fake orchestrator, whose images play the tests'
image (``orchestrators/fake.py``): one container per execution, its input as arguments, its
outcome recorded, refused before anything is accepted where no container engine runs them."""
import time

import pytest
from service_harness import Ports, make_service, spec

from qinling_shared.exceptions import InvalidInput

from qinling_execution.active_runs import ActiveRuns
from qinling_execution.orchestrators import ImageRun
from qinling_execution.orchestrators.fake import FakeOrchestrator, LOCAL_IMAGES, NO_ENGINE

IMAGE = LOCAL_IMAGES[0]


def image_spec(image=IMAGE, **changes):
    return spec(code={"source": "image", "image": image}, entry=None, package_key=None,
                package_sha256=None, package_md5=None, **changes)


@pytest.fixture
def function(functions):
    return functions.add(image_spec())


def submit(service, **fields):
    execution = service.create_execution({"function_id": "f1", "sync": False, **fields})
    (message,) = service.execution_queue.take()
    return execution, message


def test_a_sync_run_echoes_its_arguments_and_leaves_no_container(service, function, ports):
    execution = service.create_execution({"function_id": "f1", "input": "Hello Qinling"})
    assert execution["status"] == "success"
    assert execution["result"]["output"] is None
    assert isinstance(execution["result"]["duration"], float)
    assert service.get_execution_log(execution["id"]) == "Hello\nQinling\n"
    (run,) = [args[0] for name, args in ports.orchestrator.calls if name == "run_image"]
    assert run == ImageRun(execution_id=execution["id"], function_id="f1", image=IMAGE,
                           args=("Hello", "Qinling"), cpu=100, memory_size=33554432,
                           timeout=5)
    assert ports.orchestrator.containers == {}
    assert ports.worker_client.calls == [] and ports.orchestrator.workers == {}


def test_an_image_function_needs_no_runtime_nor_worker(service, function, ports):
    service.create_execution({"function_id": "f1"})
    assert [name for name, _ in ports.orchestrator.calls] == ["run_image"]


def test_an_async_run_is_recorded_by_the_consumer(service, function):
    execution, message = submit(service, input='["eat", 1]')
    assert execution["status"] == "running"
    service.run_queued(message)
    done = service.get_execution(execution["id"])
    assert done["status"] == "success"
    assert service.get_execution_log(execution["id"]) == "eat\n1\n"


@pytest.mark.parametrize("fn_input, output", [
    ('["eat", 64]', "Function execution failed because of too much resource consumption"),
    ("exit 3", "Function execution failed: its container exited with status 3."),
])
def test_a_container_that_failed_is_failed(service, function, fn_input, output):
    execution = service.create_execution({"function_id": "f1", "input": fn_input})
    assert (execution["status"], execution["result"]["output"]) == ("failed", output)


def test_a_container_past_its_timeout_is_killed(service, functions, ports):
    functions.add(image_spec(timeout=1))
    execution = service.create_execution({"function_id": "f1", "input": "sleep 30"})
    assert execution["status"] == "failed"
    assert execution["result"] == {"output": "Function execution timeout.", "duration": 1}
    assert ports.orchestrator.containers == {}


def test_a_failed_container_is_not_retried(service, function):
    execution, message = submit(service, input="exit 1")
    service.run_queued(message)
    assert service.get_execution(execution["id"])["status"] == "failed"
    assert service.execution_queue.messages == []


def test_an_image_that_cannot_be_had_fails_clearly(service, functions):
    functions.add(image_spec(image="nosuch/image:1"))
    execution = service.create_execution({"function_id": "f1"})
    assert execution["status"] == "failed"
    assert execution["result"]["output"] == (
        "Image nosuch/image:1 is not on the container engine and could not be pulled: "
        "no registry answers (fake)")


@pytest.fixture
def no_engine_ports():
    return Ports(FakeOrchestrator(container_engine=False))


@pytest.fixture
def no_engine(session, no_engine_ports, functions):
    return make_service(session, no_engine_ports, functions)


@pytest.mark.parametrize("sync", [True, False])
def test_without_a_container_engine_nothing_is_accepted(no_engine, function, sync):
    with pytest.raises(InvalidInput) as refused:
        no_engine.create_execution({"function_id": "f1", "sync": sync})
    assert str(refused.value) == NO_ENGINE
    assert refused.value.http_status == 400
    assert no_engine.list_executions() == []
    assert no_engine.execution_queue.messages == []


def test_the_function_service_can_ask_whether_images_run(service, no_engine):
    assert service.check_images() is None
    with pytest.raises(InvalidInput, match="need a container engine"):
        no_engine.check_images()


def test_package_functions_run_without_a_container_engine(no_engine, no_engine_ports,
                                                          functions, session):
    admin = make_service(session, no_engine_ports, functions, admin=True)
    runtime = admin.create_runtime({"image": "python3"})
    functions.add(spec(runtime_id=runtime["id"]))
    assert no_engine.create_execution({"function_id": "f1"})["status"] == "success"


def test_a_redelivered_run_attaches_to_the_container_left_by_the_first(service, function,
                                                                        ports):
    execution, message = submit(service, input="left by a dead consumer")
    service.run_queued(message)  # the first take: its container runs to the end
    first = service.get_execution(execution["id"])
    again, message = submit(service, input="sleep 0")
    # a consumer died while the container of ``again`` ran: it is still there
    ports.orchestrator.leave_container(ImageRun(
        execution_id=again["id"], function_id="f1", image=IMAGE, args=("first", "take"),
        cpu=100, memory_size=33554432, timeout=5))
    service.run_queued(message)  # the redelivery
    assert ports.orchestrator.started_containers == [execution["id"], again["id"]]
    assert service.get_execution(again["id"])["status"] == "success"
    assert service.get_execution_log(again["id"]) == "first\ntake\n"
    assert ports.orchestrator.containers == {}
    assert first["status"] == "success"


def test_cancelling_a_running_image_execution_kills_its_container(session, ports, functions,
                                                                  function):
    active_runs = ActiveRuns()
    service = make_service(session, ports, functions, active_runs=active_runs)
    canceller = make_service(session, ports, functions, active_runs=active_runs)
    start_container = ports.orchestrator.leave_container

    def start_then_cancel(run):  # the cancel comes while its container runs
        container = start_container(run)
        canceller.cancel_execution(run.execution_id)
        canceller.on_execution_cancelled({"id": run.execution_id})
        return container

    ports.orchestrator.leave_container = start_then_cancel
    started = time.monotonic()
    execution = service.create_execution({"function_id": "f1", "input": "sleep 4"})
    assert time.monotonic() - started < 3  # killed, not slept out
    assert execution["status"] == "cancelled"
    assert ("cancel_image", (execution["id"],)) in ports.orchestrator.calls
    assert ports.orchestrator.containers == {}
    assert service.get_execution_log(execution["id"]) == "sleep\n4\n"
    assert execution["id"] not in active_runs


def test_the_sweep_removes_the_containers_of_ended_executions_only(service, function, ports):
    fake = ports.orchestrator
    ended = service.create_execution({"function_id": "f1"})
    running, _ = submit(service)
    for execution_id in (ended["id"], running["id"], "another-deployments"):
        fake.leave_container(ImageRun(
            execution_id=execution_id, function_id="f1", image=IMAGE, args=("sleep", "60"),
            cpu=100, memory_size=33554432, timeout=60))
    service.sweep_executions()
    assert sorted(fake.containers) == sorted([running["id"], "another-deployments"])
    assert ("remove_image", (ended["id"],)) in fake.calls


def test_the_sweep_leaves_the_container_of_a_run_it_has(session, ports, functions, function):
    active_runs = ActiveRuns()
    service = make_service(session, ports, functions, active_runs=active_runs)
    execution = service.create_execution({"function_id": "f1"})
    ports.orchestrator.leave_container(ImageRun(
        execution_id=execution["id"], function_id="f1", image=IMAGE, args=(), cpu=100,
        memory_size=33554432, timeout=5))
    active_runs.start(execution["id"], "container-engine")
    service.sweep_executions()
    assert list(ports.orchestrator.containers) == [execution["id"]]
