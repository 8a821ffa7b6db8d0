"""Image functions through the REST API and the real CLI, on the whole platform and the local
Docker engine (tempest tests 19-20 and more): the tests' image (``qinling_testing.
container_images``) prints its arguments; ``sleep N``, ``eat N`` MiB, ``exit N``.

The last test kills the execution service while a container runs, on a platform of its own:
the redelivered run attaches to the container, which ran once. The fixtures ``docker_engine``
and ``args_image`` come from ``conftest.py``."""
import json
import subprocess
import time

import pytest

from qinling_testing.api_client import ApiClient
from qinling_testing.cli import as_json, ok
from qinling_testing.platform import START_TIMEOUT, healthy_platform

LABEL_EXECUTION = "org.openstack.qinling.execution_id"
LABEL_FUNCTION = "org.openstack.qinling.function_id"
DEADLINE = 60.0


def docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def containers(label, value):
    return docker("ps", "-a", "-q", "--filter", f"label={label}={value}").split()


def create_image_function(api, image, **fields):
    """As python-qinlingclient sends it: a form, ``code`` a JSON string, no runtime."""
    response = api.post("/v1/functions", data={
        "code": json.dumps({"source": "image", "image": image}), "name": "image-fn",
        **{key: str(value) for key, value in fields.items()}})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def ended(api, execution_id):
    return api.wait_for_status(f"/v1/executions/{execution_id}",
                               {"success", "failed", "error"}, timeout=DEADLINE)


@pytest.fixture
def function_id(api, args_image):
    return create_image_function(api, args_image)


def test_a_sync_run_echoes_its_input_in_the_log(api, function_id):
    response = api.execute(function_id, "Hello Qinling")
    assert response.status_code == 201, response.text
    execution = response.json()
    assert execution["status"] == "success", execution
    result = json.loads(execution["result"])
    assert result["output"] is None and 0 <= result["duration"] < 5
    log = api.get(f"/v1/executions/{execution['id']}/log").text
    assert log == "Hello\nQinling\n"
    assert containers(LABEL_FUNCTION, function_id) == []


def test_an_async_run_succeeds_and_an_object_is_one_argument(api, function_id):
    response = api.execute(function_id, {"name": "Qinling"}, sync=False)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "running"
    execution = ended(api, response.json()["id"])
    assert execution["status"] == "success", execution
    log = api.get(f"/v1/executions/{execution['id']}/log").text
    assert log == '{"name": "Qinling"}\n'
    assert containers(LABEL_EXECUTION, execution["id"]) == []


def test_a_json_list_gives_one_argument_per_element(api, function_id):
    execution = api.execute(function_id, '["two words", 3]').json()
    assert api.get(f"/v1/executions/{execution['id']}/log").text == "two words\n3\n"


def test_the_timeout_kills_the_container_and_can_be_raised(api, args_image):
    function_id = create_image_function(api, args_image, timeout=1)
    execution = api.execute(function_id, "sleep 2").json()
    assert execution["status"] == "failed", execution
    assert json.loads(execution["result"]) == {"output": "Function execution timeout.",
                                               "duration": 1}
    assert containers(LABEL_FUNCTION, function_id) == []
    updated = api.put(f"/v1/functions/{function_id}", data={"timeout": "5"})
    assert updated.status_code == 200, updated.text
    execution = api.execute(function_id, "sleep 2").json()
    assert execution["status"] == "success", execution
    assert json.loads(execution["result"])["duration"] >= 2


def test_the_memory_limit_is_enforced(api, args_image):
    function_id = create_image_function(api, args_image, memory_size=33554432)
    fits = api.execute(function_id, "eat 8").json()
    assert fits["status"] == "success", fits
    execution = api.execute(function_id, "eat 64").json()
    assert execution["status"] == "failed", execution
    assert json.loads(execution["result"])["output"] == (
        "Function execution failed because of too much resource consumption")
    assert containers(LABEL_FUNCTION, function_id) == []


def test_an_exit_status_fails_the_execution_at_once(api, function_id):
    started = time.monotonic()
    execution = api.execute(function_id, "exit 3").json()
    assert time.monotonic() - started < 4  # not after the whole timeout, as Qinling did
    assert (execution["status"], json.loads(execution["result"])["output"]) == (
        "failed", "Function execution failed: its container exited with status 3.")


def test_an_image_that_cannot_be_pulled_fails_clearly(api, docker_engine):
    function_id = create_image_function(api, "qinling-test/not-here:1")
    execution = api.execute(function_id).json()
    assert execution["status"] == "failed", execution
    assert json.loads(execution["result"])["output"].startswith(
        "Image qinling-test/not-here:1 is not on the container engine and could not be "
        "pulled: ")


def test_the_cli_creates_and_runs_an_image_function(cli, args_image):
    function = as_json(cli, "function", "create", "--image", args_image, "--name", "cli-image")
    assert function["code"] == {"source": "image", "image": args_image}
    assert function["runtime_id"] is None
    done = as_json(cli, "function", "execution", "create", "--function", function["id"],
                   "--input", "Qinling")
    assert done["status"] == "success", done
    assert ok(cli, "function", "execution", "log", "show", done["id"]).strip() == "Qinling"


def test_cancel_kills_the_running_container(api, function_id):
    execution = api.execute(function_id, "sleep 30", sync=False).json()
    deadline = time.monotonic() + DEADLINE
    while not containers(LABEL_EXECUTION, execution["id"]):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    response = api.post(f"/v1/executions/{execution['id']}/cancel")
    assert response.status_code == 202, response.text
    while containers(LABEL_EXECUTION, execution["id"]):  # killed and removed
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert api.get(f"/v1/executions/{execution['id']}").json()["status"] == "cancelled"


def test_without_a_container_engine_an_image_function_is_a_400():
    with healthy_platform(conf_overrides={"local": {"container_engine": ""}}) as platform, \
            ApiClient(platform.url) as api:
        response = api.post("/v1/functions", data={
            "code": json.dumps({"source": "image", "image": "alpine"})})
        assert response.status_code == 400, response.text
        assert response.json() == {"faultstring": "Image functions need a container engine: "
                                                  "none is configured ([local] "
                                                  "container_engine)."}
        assert api.get("/v1/functions").json()["functions"] == []


def test_a_run_redelivered_after_a_kill_attaches_to_its_container(args_image):
    with healthy_platform() as platform, ApiClient(platform.url) as api:
        function_id = create_image_function(api, args_image)
        since = docker("system", "info", "--format", "{{.SystemTime}}").strip()
        execution = api.execute(function_id, "sleep 4", sync=False).json()
        deadline = time.monotonic() + DEADLINE
        while not containers(LABEL_EXECUTION, execution["id"]):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        platform.kill("execution")  # SIGKILL: its container runs on
        platform.start("execution")
        platform.wait_healthy(START_TIMEOUT)
        done = ended(api, execution["id"])
        assert done["status"] == "success", done
        assert 3.5 < json.loads(done["result"])["duration"] < 6
        assert api.get(f"/v1/executions/{execution['id']}/log").text == "sleep\n4\n"
        starts = docker("events", "--since", since, "--until", "0s",
                        "--filter", f"label={LABEL_EXECUTION}={execution['id']}",
                        "--filter", "event=start", "--format", "{{.ID}}").split()
        assert len(starts) == 1, starts  # ran once
        assert containers(LABEL_EXECUTION, execution["id"]) == []
