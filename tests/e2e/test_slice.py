"""One function end to end through the gateway and all five services, as real processes."""
import hashlib
import json

import pytest
import requests

from qinling_testing.packages import hello_package as hello_zip, zip_package as zip_of


def stored_packages(platform):
    root = platform.dir / "state" / "packages"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def runtime(platform):
    resp = requests.post(f"{platform.url}/v1/runtimes", json={"name": "python3", "image": "python3"})
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "available"
    return resp.json()


def create_function(url, runtime_id, package, code=None, **fields):
    code = code or {"source": "package", "md5sum": hashlib.md5(package).hexdigest()}
    data = {"code": json.dumps(code), "runtime_id": runtime_id, **fields}
    return requests.post(f"{url}/v1/functions", data=data,
                         files={"package": ("hello.zip", package, "application/zip")})


@pytest.fixture(scope="module")
def function(platform, runtime):
    resp = create_function(platform.url, runtime["id"], hello_zip(), name="hello")
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_versions_root(platform):
    assert requests.get(f"{platform.url}/").json() == {"versions": [{
        "id": "v1.0", "status": "CURRENT",
        "links": [{"href": f"{platform.url}/v1", "target": "v1", "rel": "self"}]}]}
    assert requests.get(f"{platform.url}/v1/").json() == {"uri": f"{platform.url}/v1"}


def test_health_reports_every_part(platform):
    resp = requests.get(f"{platform.url}/healthz")
    assert resp.status_code == 200, resp.text
    checks = resp.json()["checks"]
    for part in ("broker", "etcd", "function", "execution", "trigger", "storage"):
        assert checks[part]["status"] == "ok", checks


def test_sync_execution_runs_the_code(platform, function):
    resp = requests.post(f"{platform.url}/v1/executions",
                         json={"function_id": function["id"], "input": '{"name": "Qinling"}'})
    assert resp.status_code == 201, resp.text
    execution = resp.json()
    assert execution["status"] == "success"
    assert json.loads(execution["result"])["output"] == "Hello, Qinling"
    shown = requests.get(f"{platform.url}/v1/executions/{execution['id']}").json()
    assert shown["status"] == "success" and shown["function_id"] == function["id"]
    log = requests.get(f"{platform.url}/v1/executions/{execution['id']}/log")
    assert log.status_code == 200
    assert "Hello from the log" in log.text
    assert f"Start execution: {execution['id']}" in log.text


def test_positional_input(platform, function):
    resp = requests.post(f"{platform.url}/v1/executions",
                         json={"function_id": function["id"], "input": "Qinling"})
    assert json.loads(resp.json()["result"])["output"] == "Hello, Qinling"


def test_function_listed_with_code_as_string(platform, function):
    listed = requests.get(f"{platform.url}/v1/functions").json()["functions"]
    mine = next(f for f in listed if f["id"] == function["id"])
    assert json.loads(mine["code"])["source"] == "package"
    assert requests.get(f"{platform.url}/v1/functions/{function['id']}").json()["code"][
        "md5sum"] == hashlib.md5(hello_zip()).hexdigest()


def test_missing_code(platform, runtime):
    resp = requests.post(f"{platform.url}/v1/functions", data={"runtime_id": runtime["id"]},
                         files={"package": ("hello.zip", hello_zip(), "application/zip")})
    assert resp.status_code == 400
    assert resp.json()["faultstring"] == "Required param is missing. Required: {'code'}"


def test_not_a_zip_is_refused_and_nothing_is_kept(platform, runtime):
    before = stored_packages(platform)
    resp = create_function(platform.url, runtime["id"], b"this is not a zip file",
                           code={"source": "package"})
    assert resp.status_code == 400
    assert resp.json()["faultstring"] == "Package is not a valid ZIP package."
    assert stored_packages(platform) == before


def test_refused_function_leaves_no_package(platform, runtime):
    before = stored_packages(platform)
    resp = create_function(platform.url, runtime["id"], zip_of({"main.py": "x = 1"}),
                           cpu="100000")
    assert resp.status_code == 400
    assert "cpu resource limitation" in resp.json()["faultstring"]
    assert stored_packages(platform) == before


def test_unknown_function(platform):
    resp = requests.post(f"{platform.url}/v1/executions", json={"function_id": "nope"})
    assert resp.status_code == 404
    assert resp.json()["faultstring"] == "Function not found [id=nope]"


@pytest.mark.parametrize("body", [b"{not json", b'{"function_id": ', b"[1, 2]"])
def test_malformed_json(platform, body):
    resp = requests.post(f"{platform.url}/v1/executions", data=body,
                         headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert "faultstring" in resp.json()


def test_unknown_execution(platform):
    resp = requests.get(f"{platform.url}/v1/executions/nope")
    assert resp.status_code == 404
    assert resp.json()["faultstring"] == "Execution not found [id=nope]"


def test_workers_listed_with_tempests_trailing_slash(platform, function):
    requests.post(f"{platform.url}/v1/executions", json={"function_id": function["id"]})
    resp = requests.get(f"{platform.url}/v1/functions/{function['id']}/workers/",
                        params={"function_version": 0})
    assert resp.status_code == 200
    workers = resp.json()["workers"]
    assert len(workers) >= 1 and workers[0]["function_id"] == function["id"]
