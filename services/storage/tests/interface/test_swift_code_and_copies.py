"""copy_package, stat_swift_object and Swift-sourced downloads, against the real SAIO and
moto servers (session fixtures in tests/conftest.py) and a RabbitMQ vhost per test."""
import hashlib
import json
import os

import pytest
import requests
import swiftclient
from nameko.standalone.rpc import ServiceRpcProxy
from zip_samples import make_zip

from qinling_shared.exceptions import InvalidInput, NotFound
from qinling_storage.service import StorageService

FAILED = "Failed to validate object in Swift."
MAX_OBJECT_SIZE = 64 * 1024


@pytest.fixture
def swift_settings(swift_settings):
    return {**swift_settings, "max_object_size": MAX_OBJECT_SIZE}


@pytest.fixture
def config(rabbit_config, web_config, tmp_path, swift_settings, s3_settings):
    return {
        **rabbit_config, **web_config,
        "STORAGE": {"provider": "local", "file_system_dir": str(tmp_path / "packages"),
                    "url": f"http://{web_config['WEB_SERVER_ADDRESS']}",
                    "url_signing_key": "k", "signed_url_ttl": 60,
                    "max_package_size": 1024 * 1024,
                    "swift": swift_settings, "s3": s3_settings},
    }


@pytest.fixture
def storage_rpc(container_factory, config):
    container_factory(StorageService, config).start()
    with ServiceRpcProxy("storage", config) as proxy:
        yield proxy


@pytest.fixture
def user_swift(swift_settings):
    """The Swift account as a user sees it, with the container of their code."""
    conn = swiftclient.Connection(swift_settings["auth_url"], swift_settings["user"],
                                  swift_settings["key"])
    conn.put_container("code")
    return conn


def upload(web_session, data, project_id="proj"):
    response = web_session.put("/v1/packages", params={"project_id": project_id}, data=data)
    assert response.status_code == 201, response.text
    return response.json()


def download(url):
    with requests.get(url, stream=True, timeout=10) as response:
        return response, b"".join(response.iter_content(16 * 1024))


def test_copy_package_makes_an_independent_copy(storage_rpc, web_session):
    data = make_zip({"main.py": "x = 1\n", "blob.bin": os.urandom(100_000)})
    original = upload(web_session, data)
    copy = storage_rpc.copy_package(original["key"], "other")
    assert copy["key"].startswith("other/") and copy["key"] != original["key"]
    assert {k: copy[k] for k in ("md5sum", "sha256", "size")} == {
        k: original[k] for k in ("md5sum", "sha256", "size")}
    storage_rpc.delete_package(original["key"])
    response, body = download(storage_rpc.sign_url(copy["key"]))
    assert response.status_code == 200 and body == data


def test_copy_of_a_missing_package_is_not_found(storage_rpc):
    with pytest.raises(NotFound, match="proj/missing.zip"):
        storage_rpc.copy_package("proj/missing.zip", "proj")


def test_copy_needs_a_safe_project_id(storage_rpc, web_session):
    key = upload(web_session, make_zip())["key"]
    with pytest.raises(InvalidInput, match="Invalid project_id"):
        storage_rpc.copy_package(key, "../evil")


def test_stat_swift_object_gives_size_and_etag(storage_rpc, user_swift):
    data = make_zip()
    user_swift.put_object("code", "hello.zip", data)
    assert storage_rpc.stat_swift_object("code", "hello.zip") == {
        "size": len(data), "etag": hashlib.md5(data).hexdigest()}


def test_swift_object_of_exactly_the_maximum_size_is_accepted(storage_rpc, user_swift):
    user_swift.put_object("code", "max.zip", b"x" * MAX_OBJECT_SIZE)
    assert storage_rpc.stat_swift_object("code", "max.zip")["size"] == MAX_OBJECT_SIZE


@pytest.mark.parametrize("container,name", [("code", "missing.zip"), ("nocontainer", "x.zip")])
def test_missing_swift_object_fails_validation(storage_rpc, user_swift, container, name):
    with pytest.raises(InvalidInput) as caught:
        storage_rpc.stat_swift_object(container, name)
    assert caught.value.message == FAILED


def test_too_large_swift_object_fails_validation(storage_rpc, user_swift):
    user_swift.put_object("code", "big.zip", b"x" * (MAX_OBJECT_SIZE + 1))
    with pytest.raises(InvalidInput) as caught:
        storage_rpc.stat_swift_object("code", "big.zip")
    assert caught.value.message == FAILED


def test_swift_reference_downloads_through_a_signed_url(storage_rpc, user_swift):
    data = make_zip({"main.py": "y = 2\n", "blob.bin": os.urandom(200_000)})
    user_swift.put_object("code", "dir/my func.zip", data)
    url = storage_rpc.sign_url("swift/code/dir/my func.zip")
    response, body = download(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Length"] == str(len(data))
    assert body == data
    bad, _ = download(url.replace("signature=", "signature=0"))
    assert bad.status_code == 403


def test_swift_object_deleted_after_signing_is_404(storage_rpc, user_swift):
    user_swift.put_object("code", "gone.zip", make_zip())
    url = storage_rpc.sign_url("swift/code/gone.zip")
    user_swift.delete_object("code", "gone.zip")
    response, body = download(url)
    assert response.status_code == 404
    assert json.loads(body)["error"] == {"type": "NotFound",
                                        "message": "Swift object code/gone.zip not found."}


def test_signing_a_missing_swift_object_is_not_found(storage_rpc, user_swift):
    with pytest.raises(NotFound, match="code/missing.zip"):
        storage_rpc.sign_url("swift/code/missing.zip")


def test_stat_and_delete_of_a_swift_reference(storage_rpc, user_swift):
    user_swift.put_object("code", "keep.zip", b"12345")
    assert storage_rpc.stat("swift/code/keep.zip") == {"key": "swift/code/keep.zip",
                                                       "size": 5}
    storage_rpc.delete_package("swift/code/keep.zip")  # the user's object: never deleted
    assert user_swift.head_object("code", "keep.zip")["content-length"] == "5"


def test_copy_of_a_swift_reference_becomes_a_package(storage_rpc, user_swift, tmp_path):
    data = make_zip()
    user_swift.put_object("code", "v.zip", data)
    copy = storage_rpc.copy_package("swift/code/v.zip", "proj")
    assert copy["md5sum"] == hashlib.md5(data).hexdigest() and copy["size"] == len(data)
    assert (tmp_path / "packages" / copy["key"]).read_bytes() == data


def test_copy_of_a_too_large_swift_object_is_refused(storage_rpc, user_swift, tmp_path):
    user_swift.put_object("code", "big.zip", b"x" * (MAX_OBJECT_SIZE + 1))
    with pytest.raises(InvalidInput) as caught:
        storage_rpc.copy_package("swift/code/big.zip", "proj")
    assert caught.value.message == FAILED
    assert [p for p in (tmp_path / "packages").rglob("*") if p.is_file()] == []


def test_without_swift_settings_swift_code_is_not_supported(container_factory, config):
    config["STORAGE"]["swift"] = {"auth_url": ""}
    container_factory(StorageService, config).start()
    with ServiceRpcProxy("storage", config) as proxy:
        for call in (lambda: proxy.stat_swift_object("code", "x.zip"),
                     lambda: proxy.sign_url("swift/code/x.zip")):
            with pytest.raises(InvalidInput) as caught:
                call()
            assert caught.value.message == "Swift object not supported."


@pytest.mark.parametrize("provider", ["swift", "s3"])
def test_service_stores_packages_in_swift_and_s3(container_factory, config, web_session,
                                                 provider):
    config["STORAGE"]["provider"] = provider
    container_factory(StorageService, config).start()
    data = make_zip({"main.py": "z = 3\n", "blob.bin": os.urandom(300_000)})
    package = upload(web_session, data)
    with ServiceRpcProxy("storage", config) as proxy:
        assert proxy.ping()["provider"] == provider
        copy = proxy.copy_package(package["key"], "proj")
        proxy.delete_package(package["key"])
        with pytest.raises(NotFound):
            proxy.stat(package["key"])
        response, body = download(proxy.sign_url(copy["key"]))
    assert response.status_code == 200 and body == data
    assert copy["sha256"] == package["sha256"] == hashlib.sha256(data).hexdigest()
