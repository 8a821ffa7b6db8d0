"""Malicious and malformed packages are refused with a clear 4xx and leave nothing behind;
an updated function never runs stale code."""
import hashlib
import io
import json
import stat
import zipfile

import pytest

from qinling_testing.packages import hello_package, zip_package


def stored_packages(platform):
    root = platform.dir / "state" / "packages"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def function_ids(api):
    return sorted(f["id"] for f in api.get("/v1/functions").json()["functions"])


def zip_slip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("main.py", "def main(): return 1")
        archive.writestr("../../escape.py", "owned = True")
    return buffer.getvalue()


def zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("main.py", "def main(): return 1")
        archive.writestr("bomb.bin", b"\0" * (600 * 1024 * 1024))  # > 512 MiB unpacked
    return buffer.getvalue()


def symlink_escape():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb():
    return zip_bomb()


@pytest.mark.parametrize("name", ["zip_slip", "zip_bomb", "truncated", "empty", "symlink",
                                  "not_a_zip"])
def test_bad_package_is_refused_and_leaves_nothing(platform, api, runtime_id, bomb, name):
    package = {"zip_slip": zip_slip, "zip_bomb": lambda: bomb, "symlink": symlink_escape,
               "truncated": lambda: hello_package()[:-30], "empty": lambda: b"",
               "not_a_zip": lambda: b"plain text"}[name]()
    before = (stored_packages(platform), function_ids(api))
    resp = api.create_function(runtime_id, package=package)
    assert resp.status_code == 400, resp.text
    assert resp.json()["faultstring"]
    assert (stored_packages(platform), function_ids(api)) == before


def test_wrong_md5_is_refused_and_leaves_nothing(platform, api, runtime_id):
    before = (stored_packages(platform), function_ids(api))
    resp = api.post("/v1/functions", data={
        "code": json.dumps({"source": "package", "md5sum": "0" * 32}), "runtime_id": runtime_id},
        files={"package": ("hello.zip", hello_package(), "application/zip")})
    assert resp.status_code == 400
    assert resp.json()["faultstring"] == "Package md5 mismatch."
    assert (stored_packages(platform), function_ids(api)) == before


def test_oversized_upload_is_413_and_leaves_nothing(platform, api, runtime_id):
    before = (stored_packages(platform), function_ids(api))
    big = zip_package({"main.py": "def main(): return 1"}) + b"\0" * (60 * 1024 * 1024)
    resp = api.create_function(runtime_id, package=big)
    assert resp.status_code == 413, resp.text
    assert resp.json()["faultstring"] == "Package exceeds the maximum size of 52428800 bytes."
    assert (stored_packages(platform), function_ids(api)) == before


def test_update_never_serves_stale_code(api, runtime_id):
    first = zip_package({"main.py": "def main(**kw):\n    return 'v1'\n"})
    second = zip_package({"main.py": "def main(**kw):\n    return 'v2'\n"})
    function_id = api.create_function(runtime_id, package=first).json()["id"]
    assert json.loads(api.execute(function_id).json()["result"])["output"] == "v1"
    resp = api.put(f"/v1/functions/{function_id}", data={"source": "package"},
                   files={"package": ("v2.zip", second, "application/zip")})
    assert resp.status_code == 200, resp.text
    assert resp.json()["code"]["md5sum"] == hashlib.md5(second).hexdigest()
    assert json.loads(api.execute(function_id).json()["result"])["output"] == "v2"
    download = api.get(f"/v1/functions/{function_id}", params={"download": "true"})
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/zip"
    assert download.content == second
