"""An image function on the Compose deployment: the execution service's container runs each
execution as a container beside it, on the host's Docker engine (its socket is mounted), with
the function's limits; the container is gone afterwards."""
import json
import subprocess

from qinling_testing.docker_engine import docker_client


def test_an_image_function_runs_sync_and_async_beside_the_services(api, args_image):
    created = api.post("/v1/functions", data={
        "code": json.dumps({"source": "image", "image": args_image}), "name": "echo",
        "memory_size": str(32 * 1024 * 1024)})
    assert created.status_code == 201, created.text
    function_id = created.json()["id"]

    sync = api.execute(function_id, "Hello Compose")
    assert sync.status_code == 201 and sync.json()["status"] == "success", sync.text
    assert api.get(f"/v1/executions/{sync.json()['id']}/log").text == "Hello\nCompose\n"

    accepted = api.execute(function_id, "eat 64", sync=False)
    assert accepted.status_code == 201, accepted.text
    ended = api.wait_for_status(f"/v1/executions/{accepted.json()['id']}",
                                {"success", "failed", "error"})
    assert ended["status"] == "failed", ended
    assert json.loads(ended["result"])["output"] == \
        "Function execution failed because of too much resource consumption"

    left = subprocess.run([docker_client(), "ps", "-a", "-q", "--filter",
                           f"label=org.openstack.qinling.function_id={function_id}"],
                          check=True, capture_output=True, text=True).stdout.split()
    assert left == []
