"""The real python-qinlingclient 5.1.1 library against the whole platform.

Without Keystone the library is built as ``Client(endpoint)`` (a plain requests client); the
CLI builds it on a keystoneauth session with the ``none`` auth plugin, tested here too. Every
runtime, function, version, alias and execution call of the library is exercised.
"""
import hashlib
import json
import time

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import noauth
from qinlingclient.common import exceptions as client_errors
from qinlingclient.v1 import client as qinling_client

from qinling_testing.packages import hello_package, zip_package

TIMEOUT = 60
DEADLINE = 30.0
V2_SOURCE = 'def main(**kwargs):\n    return "v2"\n'


@pytest.fixture
def sdk(platform):
    return qinling_client.Client(platform.url, timeout=TIMEOUT)


def md5(data):
    return hashlib.md5(data).hexdigest()


def wait_until_gone(get, deadline=DEADLINE):
    """Poll ``get()`` until it raises the client's 404; return that error."""
    end = time.monotonic() + deadline
    while True:
        try:
            get()
        except client_errors.HTTPNotFound as error:
            return error
        if time.monotonic() >= end:
            raise TimeoutError(f"still there after {deadline:g}s")
        time.sleep(0.1)


def create_package_function(sdk, runtime_id, tmp_path, package, **fields):
    path = tmp_path / "package.zip"
    path.write_bytes(package)
    with open(path, "rb") as upload:
        return sdk.functions.create({"source": "package", "md5sum": md5(package)},
                                    runtime=runtime_id, package=upload, **fields)


def update_package(sdk, function_id, tmp_path, package):
    path = tmp_path / "update.zip"
    path.write_bytes(package)
    with open(path, "rb") as upload:
        return sdk.functions.update(function_id, code={"source": "package"}, package=upload)


def download(sdk, path):
    response = sdk.http_client.request(path, "GET")
    return response.content, response.headers


def run(sdk, **target):
    execution = sdk.function_executions.create(**target)
    assert execution.status == "success", execution.result
    return json.loads(execution.result)["output"]


def test_runtime_calls(sdk, api):
    runtime = sdk.runtimes.create("python3", name="sdk-runtime", description="by the sdk",
                                  is_public=False)
    assert (runtime.image, runtime.name, runtime.is_public) == ("python3", "sdk-runtime", False)
    api.wait_for_status(f"/v1/runtimes/{runtime.id}", {"available"})
    assert runtime.id in [r.id for r in sdk.runtimes.list()]
    shown = sdk.runtimes.get(runtime.id)
    assert (shown.description, shown.status, shown.trusted) == ("by the sdk", "available", True)

    pool = sdk.runtimes.get_pool(runtime.id)
    assert pool.name == runtime.id
    assert set(pool.capacity) == {"total", "available"}

    # no library call updates a runtime: its own HTTP client does the PUT
    response, body = sdk.http_client.json_request(
        f"/v1/runtimes/{runtime.id}", "PUT", data={"description": "updated"})
    assert response.status_code == 200 and body["description"] == "updated"

    sdk.runtimes.delete(runtime.id)
    error = wait_until_gone(lambda: sdk.runtimes.get(runtime.id))
    assert error.details == f"Runtime not found [id={runtime.id}]"


def test_a_runtime_in_use_is_not_deleted(sdk, runtime_id, hello_function_id):
    with pytest.raises(client_errors.HTTPForbidden) as refused:
        sdk.runtimes.delete(runtime_id)
    assert refused.value.details == f"Runtime {runtime_id} is still in use."
    assert sdk.runtimes.get(runtime_id).status == "available"


def test_function_calls(sdk, runtime_id, tmp_path):
    package = hello_package()
    function = create_package_function(sdk, runtime_id, tmp_path, package, name="sdk-hello",
                                       entry="main.main", timeout=10)
    assert function.code == {"source": "package", "md5sum": md5(package)}
    assert (function.name, function.entry, function.timeout) == ("sdk-hello", "main.main", 10)

    listed = {f.id: f for f in sdk.functions.list()}
    assert json.loads(listed[function.id].code)["md5sum"] == md5(package)
    assert [f.id for f in sdk.functions.list(name="sdk-hello")] == [function.id]
    assert sdk.functions.get(function.id).runtime_id == runtime_id

    downloaded = sdk.functions.get(function.id, download=True)
    assert downloaded.content == package
    assert downloaded.headers["Content-Type"] == "application/zip"
    assert downloaded.headers["Content-Disposition"] == f'attachment; filename="{function.id}"'

    updated = sdk.functions.update(function.id, name="sdk-hello-2", description="d", timeout=20)
    assert (updated.name, updated.description, updated.timeout) == ("sdk-hello-2", "d", 20)
    assert run(sdk, function_id=function.id, input="SDK") == "Hello, SDK"

    new_package = zip_package({"main.py": V2_SOURCE})
    updated = update_package(sdk, function.id, tmp_path, new_package)
    assert updated.code["md5sum"] == md5(new_package)
    assert sdk.functions.get(function.id, download=True).content == new_package
    assert run(sdk, function_id=function.id) == "v2"  # never the stale code

    sdk.functions.delete(function.id)
    with pytest.raises(client_errors.HTTPNotFound) as missing:
        sdk.functions.get(function.id)
    assert missing.value.details == f"Function not found [id={function.id}]"


def test_version_and_alias_calls(sdk, hello_function_id, tmp_path):
    fid = hello_function_id
    live_package, _ = download(sdk, f"/v1/functions/{fid}?download=true")
    first = sdk.function_versions.create(fid, description="first")
    assert (first.function_id, first.version_number, first.description) == (fid, 1, "first")
    content, headers = download(sdk, f"/v1/functions/{fid}/versions/1?download=true")
    assert content == live_package
    assert headers["Content-Disposition"] == f'attachment; filename="{fid}_1"'

    update_package(sdk, fid, tmp_path, zip_package({"main.py": V2_SOURCE}))
    second = sdk.function_versions.create(fid)
    assert second.version_number == 2
    assert [v.version_number for v in sdk.function_versions.list(fid)] == [1, 2]
    assert sdk.function_versions.get(fid, 1).description == "first"

    alias = sdk.function_aliases.create("sdk-prod", fid, function_version=1, description="s")
    assert (alias.name, alias.function_id, alias.function_version) == ("sdk-prod", fid, 1)
    assert "sdk-prod" in [a.name for a in sdk.function_aliases.list()]
    assert sdk.function_aliases.get("sdk-prod").description == "s"
    assert run(sdk, function_alias="sdk-prod", input="alias") == "Hello, alias"
    assert run(sdk, function_id=fid, function_version=1, input="one") == "Hello, one"

    moved = sdk.function_aliases.update("sdk-prod", function_version=2, description="moved")
    assert (moved.function_version, moved.description) == (2, "moved")
    assert run(sdk, function_alias="sdk-prod") == "v2"

    with pytest.raises(client_errors.HTTPForbidden):  # the alias uses version 2
        sdk.function_versions.delete(fid, 2)
    sdk.function_versions.delete(fid, 1)
    assert [v.version_number for v in sdk.function_versions.list(fid)] == [2]
    sdk.function_aliases.delete("sdk-prod")
    with pytest.raises(client_errors.HTTPNotFound) as missing:
        sdk.function_aliases.get("sdk-prod")
    assert missing.value.details == "FunctionAlias not found [name=sdk-prod]"
    sdk.function_versions.delete(fid, 2)
    assert sdk.function_versions.list(fid) == []


def test_execution_calls(sdk, hello_function_id):
    fid = hello_function_id
    done = sdk.function_executions.create(function_id=fid, input='{"name": "SDK"}')
    assert (done.status, done.sync, done.function_id) == ("success", True, fid)
    assert json.loads(done.result)["output"] == "Hello, SDK"
    assert json.loads(done.input) == {"name": "SDK"}

    started = sdk.function_executions.create(function_id=fid, sync=False, input="later")
    assert started.sync is False
    end = time.monotonic() + DEADLINE
    while (shown := sdk.function_executions.get(started.id)).status == "running":
        assert time.monotonic() < end, "the async execution never finished"
        time.sleep(0.1)
    assert shown.status == "success" and json.loads(shown.result)["output"] == "Hello, later"

    listed = sdk.function_executions.list(function_id=fid)
    assert {e.id for e in listed} == {done.id, started.id}
    assert {e.id for e in sdk.function_executions.list(function_id=fid, sync="false")} == {
        started.id}
    log = sdk.http_client.request(f"/v1/executions/{done.id}/log", "GET").text
    assert "Hello from the log" in log

    sdk.function_executions.delete(done.id)
    with pytest.raises(client_errors.HTTPNotFound) as missing:
        sdk.function_executions.get(done.id)
    assert missing.value.details == f"Execution not found [id={done.id}]"


def test_an_image_function_is_not_downloaded(sdk, docker_engine):
    function = sdk.functions.create({"source": "image", "image": "alpine"}, name="sdk-image")
    assert function.code == {"source": "image", "image": "alpine"}
    with pytest.raises(client_errors.HTTPMethodNotAllowed) as refused:
        sdk.functions.get(function.id, download=True)
    assert refused.value.details == "Download image function is not allowed."
    sdk.functions.delete(function.id)


@pytest.mark.filterwarnings("ignore:keystoneclient.adapter.Adapter is deprecated")
def test_the_client_on_a_keystoneauth_session(platform, hello_function_id):
    """As the CLI builds it (auth type none): JSON and text bodies go through the session."""
    session = ks_session.Session(auth=noauth.NoAuth(), timeout=TIMEOUT)
    sdk = qinling_client.Client(platform.url, session=session, service_type="function-engine")
    execution = sdk.function_executions.create(function_id=hello_function_id, input="ks")
    assert json.loads(execution.result)["output"] == "Hello, ks"
    assert "Hello from the log" in sdk.function_executions.get_log(execution.id)
    assert hello_function_id in [f.id for f in sdk.functions.list()]


def test_tempest_posts_aliases_with_a_double_slash(api, hello_function_id):
    response = api.post("/v1//aliases", json={"name": "tempest-alias",
                                               "function_id": hello_function_id})
    assert response.status_code == 201, response.text
    assert response.json()["function_version"] == 0
    assert api.delete("/v1/aliases/tempest-alias").status_code == 204
