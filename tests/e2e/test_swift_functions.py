"""Functions whose code is an object in Swift, against a real Swift all-in-one."""
import json

import pytest
import swiftclient

from qinling_testing.api_client import ApiClient
from qinling_testing.packages import zip_package
from qinling_testing.platform import healthy_platform
from qinling_testing.swift import SwiftAIO

SOURCE = 'def main(name="Swift", **kwargs):\n    return f"Hello from {name}"\n'


@pytest.fixture(scope="module")
def swift():
    with SwiftAIO() as server:
        yield server


@pytest.fixture(scope="module")
def swift_platform(swift):
    conf = {"swift": {"auth_url": swift.auth_url, "auth_version": "1", "user": swift.user,
                      "key": swift.key}}
    with healthy_platform(conf_overrides=conf) as platform:
        yield platform


@pytest.fixture(scope="module")
def objects(swift):
    conn = swiftclient.Connection(swift.auth_url, swift.user, swift.key)
    conn.put_container("code")
    package = zip_package({"main.py": SOURCE})
    conn.put_object("code", "hello.zip", package)
    yield conn, package
    conn.close()


@pytest.fixture(scope="module")
def api(swift_platform):
    with ApiClient(swift_platform.url) as client:
        yield client


@pytest.fixture(scope="module")
def runtime_id(api):
    return api.create_runtime().json()["id"]


def create_swift_function(api, runtime_id, container, obj):
    code = {"source": "swift", "swift": {"container": container, "object": obj}}
    return api.post("/v1/functions", data={"code": json.dumps(code), "runtime_id": runtime_id,
                                           "name": "swifty"})


def test_swift_function_runs_and_downloads_from_swift(api, runtime_id, objects):
    _, package = objects
    resp = create_swift_function(api, runtime_id, "code", "hello.zip")
    assert resp.status_code == 201, resp.text
    function = resp.json()
    assert function["code"]["swift"] == {"container": "code", "object": "hello.zip"}
    result = api.execute(function["id"], input="Qinling").json()
    assert json.loads(result["result"])["output"] == "Hello from Qinling", result
    download = api.get(f"/v1/functions/{function['id']}", params={"download": "true"})
    assert download.status_code == 200 and download.content == package


def test_missing_swift_object_is_refused(api, runtime_id, objects):
    resp = create_swift_function(api, runtime_id, "code", "missing.zip")
    assert resp.status_code == 400
    assert resp.json()["faultstring"] == "Failed to validate object in Swift."


def test_swift_code_update_runs_the_new_object(api, runtime_id, objects):
    conn, _ = objects
    conn.put_object("code", "v2.zip", zip_package({"main.py": "def main(**kw):\n    return 'v2'\n"}))
    function_id = create_swift_function(api, runtime_id, "code", "hello.zip").json()["id"]
    api.execute(function_id)
    resp = api.put(f"/v1/functions/{function_id}",
                   data={"code": json.dumps({"source": "swift",
                                             "swift": {"container": "code", "object": "v2.zip"}})})
    assert resp.status_code == 200, resp.text
    assert json.loads(api.execute(function_id).json()["result"])["output"] == "v2"



def test_swift_function_cannot_be_versioned(api, runtime_id, objects):
    function_id = create_swift_function(api, runtime_id, "code", "hello.zip").json()["id"]
    resp = api.post(f"/v1/functions/{function_id}/versions", json={"description": "v1"})
    assert resp.status_code == 403
    assert resp.json()["faultstring"] == "Function versioning only allowed for package type function."
