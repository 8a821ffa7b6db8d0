"""Crashes of service containers and of an execution replica during streams of asynchronous
executions, on the Compose deployment (execution and trigger at two replicas each): every
execution accepted ran exactly once, every one refused never ran (``qinling_testing.
post_rounds``, as tests/faults does for ``make run``'s processes), and both execution
replicas serve runs, synchronous and asynchronous (the worker map in etcd has workers of
each)."""
import json

import pytest

from qinling_testing.compose_crashes import CrashedPlatform
from qinling_testing.fault_checks import settled
from qinling_testing.post_rounds import ROUND_DEADLINE, Round, check, kill_during_posts

CRASHED = ("api", "function", "execution")


@pytest.fixture(scope="module")
def platform(deployment):
    return CrashedPlatform(deployment)


@pytest.mark.parametrize("service", CRASHED)
def test_a_crashed_service_loses_and_repeats_nothing(platform, deployment, api, counter,
                                                     counted_function, service):
    round_ = Round(platform.url, counted_function, counter,
                   first=(CRASHED.index(service) + 1) * 1_000_000)
    # POSTs while it is down: not for the other execution replica, which serves meanwhile,
    # nor for the gateway: Docker's port proxy may take a connection and drop it (no answer)
    # as well as refuse it while the container restarts, which a client cannot tell apart
    down = kill_during_posts(platform, service, round_, while_down=service == "function")
    rows = settled(platform, api, counted_function, round_.accepted, ROUND_DEADLINE)
    figures = check(round_, rows, counter, service)
    container, restarts = platform.crashed[service]
    if service != "execution":  # Compose's restart policy started the container again
        assert deployment.restarts(container) == restarts + 1
    print(f"\n{service} crashed, serving again after {down:.1f} s: {dict(figures)}")


def owners(deployment, function_id):
    """The replicas (owners) of the function's workers in the worker map."""
    records = deployment.etcd_get(f"/qinling/workers/{function_id}/")
    return {json.loads(record)["owner"] for record in records.values()}


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_both_execution_replicas_serve_runs(deployment, api, sync):
    runtime = api.create_runtime()
    assert runtime.status_code == 201, runtime.text
    function = api.create_function(runtime.json()["id"], name=f"spread-{sync}")
    assert function.status_code == 201, function.text
    function_id = function.json()["id"]
    accepted = [api.execute(function_id, {"name": str(n)}, sync=sync) for n in range(40)]
    assert all(each.status_code == 201 for each in accepted)
    for each in accepted:
        ended = api.wait_for_status(f"/v1/executions/{each.json()['id']}",
                                    {"success", "failed", "error"})
        assert ended["status"] == "success", ended
    replicas = {container[:12] for container in deployment.containers("execution")}
    assert len(replicas) == 2
    assert {owner.split("-")[0] for owner in owners(deployment, function_id)} == replicas
