"""A worker that died (a function killed it) is found out by the run that meets it, from the
orchestrator's process state, without a call to the worker: dropped at once, and the run goes
to a new worker when the request never reached the dead one (D11)."""
from service_harness import spec

from qinling_execution import outcomes
from qinling_execution.worker_client import FAILED_MESSAGE


def run(service):
    return service.create_execution({"function_id": "f1"})


def only_worker(ports):
    (worker,) = ports.placement.workers("f1", 0)
    return worker


def test_a_run_refused_by_a_dead_worker_runs_on_a_new_one(service, runtime, ports, functions):
    functions.add(spec(runtime_id=runtime["id"]))
    assert run(service)["status"] == "success"
    dead = only_worker(ports)
    ports.orchestrator.workers.pop(dead.name)  # its process is gone
    ports.worker_client.unreachable.add(dead.url)  # connect() is refused
    execution = run(service)
    assert execution["status"] == "success", service.get_execution_log(execution["id"])
    assert [url for url, _ in ports.worker_client.calls[-2:]] == [
        dead.url, only_worker(ports).url]
    assert only_worker(ports).name != dead.name
    assert dead.name not in {r["name"] for r in ports.worker_map.for_function("f1", 0)}


def test_a_run_whose_worker_died_under_it_is_failed_and_the_next_runs_at_once(
        service, runtime, ports, functions):
    functions.add(spec(runtime_id=runtime["id"]))

    def killer(url, payload):
        ports.orchestrator.workers.pop(url.rpartition("/")[2])  # the function kills its worker
        ports.worker_client.respond = fine
        return {"output": FAILED_MESSAGE, "success": False, "duration": 0.2,
                "platform_failure": True,
                "logs": f"The worker at {url} failed: the worker closed the connection"}

    fine = ports.worker_client.respond
    ports.worker_client.respond = killer
    killed = run(service)
    assert (killed["status"], killed["result"]["output"]) == ("failed", FAILED_MESSAGE)
    log = service.get_execution_log(killed["id"])
    assert log.startswith(outcomes.WORKER_DIED) and "closed the connection" in log
    assert len(ports.worker_client.calls) == 1  # run once: not retried on another worker
    assert ports.placement.workers("f1", 0) == []
    assert run(service)["status"] == "success"
    assert len(ports.orchestrator.workers) == 1


def test_a_live_worker_that_refused_a_run_is_kept(service, runtime, ports, functions):
    functions.add(spec(runtime_id=runtime["id"]))
    assert run(service)["status"] == "success"
    worker = only_worker(ports)
    ports.worker_client.unreachable.add(worker.url)  # refused, yet its process runs
    execution = run(service)
    assert execution["status"] == "failed"
    assert "could not be reached" in service.get_execution_log(execution["id"])
    assert only_worker(ports) == worker and len(ports.worker_client.calls) == 2
