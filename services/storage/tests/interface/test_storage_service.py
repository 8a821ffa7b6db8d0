"""The storage service for real: a container on a RabbitMQ vhost, HTTP on a free port."""
import hashlib
import json
import os
import socket
import stat
import time
import urllib.parse
from types import SimpleNamespace

import pytest
import requests
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook
from zip_samples import make_zip, zip_with_symlink

from qinling_shared.exceptions import InvalidInput, NotFound
from qinling_storage import signing, unclaimed
from qinling_storage.service import StorageService

SIGNING_KEY = "interface-test-signing-key"
MAX_SIZE = 256 * 1024


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, names in os.walk(root) for f in names)


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "packages"


@pytest.fixture
def base_url(web_config):
    return f"http://{web_config['WEB_SERVER_ADDRESS']}"


@pytest.fixture
def config(rabbit_config, web_config, store_dir, tmp_path, base_url):
    return {
        **rabbit_config, **web_config,
        "STORAGE": {"provider": "local", "file_system_dir": str(store_dir), "url": base_url,
                    "url_signing_key": SIGNING_KEY, "signed_url_ttl": 60,
                    "max_package_size": MAX_SIZE, "upload_expiration": 3600},
        "STATE_PATH": str(tmp_path / "state"),
    }


@pytest.fixture
def service(container_factory, config):
    container = container_factory(StorageService, config)
    container.start()
    return container


@pytest.fixture
def storage_rpc(service, config):
    with ServiceRpcProxy("storage", config) as proxy:
        yield proxy


def chunked(data, size=8 * 1024):
    """A generator body: requests sends it with Transfer-Encoding: chunked."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


def upload(web_session, data, project_id="proj", **kwargs):
    return web_session.put("/v1/packages", params={"project_id": project_id}, data=data,
                           **kwargs)


def error_of(response):
    assert response.headers["Content-Type"] == "application/json"
    return response.json()["error"]


def test_streamed_upload_then_download_by_signed_url(service, web_session, storage_rpc,
                                                     store_dir):
    data = make_zip({"main.py": "def main():\n    return 1\n", "blob.bin": os.urandom(150_000)})
    response = upload(web_session, chunked(data))
    assert response.status_code == 201, response.text
    package = response.json()
    assert package == {"key": package["key"], "md5sum": hashlib.md5(data).hexdigest(),
                       "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert package["key"].startswith("proj/") and package["key"].endswith(".zip")
    assert files_under(store_dir) == [unclaimed.marker_key(package["key"]), package["key"]]
    assert storage_rpc.stat(package["key"]) == {"key": package["key"], "size": len(data)}

    url = storage_rpc.sign_url(package["key"])
    with requests.get(url, stream=True, timeout=10) as download:
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/zip"
        assert download.headers["Content-Length"] == str(len(data))
        assert b"".join(download.iter_content(16 * 1024)) == data


def test_upload_with_content_length(service, web_session):
    data = make_zip()
    response = upload(web_session, data)
    assert response.status_code == 201
    assert response.json()["size"] == len(data)


def test_signed_url_expires_after_the_ttl(service, storage_rpc, web_session):
    key = upload(web_session, make_zip()).json()["key"]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(storage_rpc.sign_url(key)).query))
    assert time.time() + 55 < int(query["expires"]) <= time.time() + 60


def test_bad_signature_is_forbidden(service, web_session, storage_rpc):
    key = upload(web_session, make_zip()).json()["key"]
    url = storage_rpc.sign_url(key)
    for bad in (url.replace("signature=", "signature=0"), url.split("?")[0],
                url.replace(key, key.replace("proj/", "other/"))):
        response = requests.get(bad, timeout=10)
        assert response.status_code == 403
        assert error_of(response) == {
            "type": "Forbidden", "message": "The package URL is invalid or has expired."}


def test_expired_url_is_forbidden(service, web_session, base_url):
    key = upload(web_session, make_zip()).json()["key"]
    expired = signing.signed_url(base_url, key, int(time.time()) - 1, SIGNING_KEY)
    response = requests.get(expired, timeout=10)
    assert response.status_code == 403
    assert error_of(response)["type"] == "Forbidden"
    fresh = signing.signed_url(base_url, key, int(time.time()) + 30, SIGNING_KEY)
    assert requests.get(fresh, timeout=10).status_code == 200


@pytest.mark.parametrize("body", [b"this is not a zip", b"", chunked(b"\x00" * 20_000)],
                         ids=["text", "empty", "chunked-zeros"])
def test_non_zip_is_refused_and_nothing_stored(service, web_session, store_dir, body):
    response = upload(web_session, body)
    assert response.status_code == 400
    assert error_of(response) == {"type": "InvalidInput",
                                  "message": "Package is not a valid ZIP package."}
    assert files_under(store_dir) == []


@pytest.mark.parametrize("data,message", [
    (make_zip({"../evil.py": "x"}),
     "Package member '../evil.py' points outside the package ('..')."),
    (zip_with_symlink("link"), "Package member 'link' is a symbolic link; links are not allowed."),
])
def test_unsafe_zip_is_refused_and_nothing_stored(service, web_session, store_dir, data,
                                                  message):
    response = upload(web_session, chunked(data))
    assert response.status_code == 400
    assert error_of(response)["message"] == message
    assert files_under(store_dir) == []


def test_oversize_streamed_upload_is_413_and_nothing_stored(service, web_session, store_dir):
    response = upload(web_session, chunked(make_zip({"big.bin": os.urandom(MAX_SIZE)})))
    assert response.status_code == 413
    assert error_of(response) == {
        "type": "PayloadTooLarge",
        "message": f"Package exceeds the maximum size of {MAX_SIZE} bytes."}
    assert files_under(store_dir) == []


def test_oversize_content_length_is_413_before_the_body_is_sent(service, web_config_port,
                                                                store_dir):
    with socket.create_connection(("127.0.0.1", web_config_port), timeout=10) as conn:
        conn.sendall(b"PUT /v1/packages?project_id=proj HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 10000000000\r\n\r\n")  # ...and no body at all
        status_line = conn.makefile("rb").readline()
    assert status_line.split()[1] == b"413"
    assert files_under(store_dir) == []


def test_broken_chunked_body_is_400(service, web_config_port, store_dir):
    with socket.create_connection(("127.0.0.1", web_config_port), timeout=10) as conn:
        conn.sendall(b"PUT /v1/packages?project_id=proj HTTP/1.1\r\nHost: x\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\nnot-hex\r\n")
        reply = conn.makefile("rb")
        status_line = reply.readline()
        headers = dict(line.decode().strip().split(": ", 1)
                       for line in iter(reply.readline, b"\r\n"))
        body = json.loads(reply.read(int(headers["Content-Length"])))
    assert status_line.split()[1] == b"400"
    assert body["error"]["message"].startswith("Could not read the request body")
    assert files_under(store_dir) == []


@pytest.mark.parametrize("params,message", [
    ({}, "project_id is required."), ({"project_id": "../x"}, "Invalid project_id '../x'."),
])
def test_upload_needs_a_safe_project_id(service, web_session, store_dir, params, message):
    response = web_session.put("/v1/packages", params=params, data=make_zip())
    assert response.status_code == 400
    assert error_of(response)["message"] == message
    assert files_under(store_dir) == []


def test_stat_sign_and_delete(service, web_session, storage_rpc, base_url, store_dir):
    key = upload(web_session, make_zip()).json()["key"]
    url = storage_rpc.sign_url(key)
    assert storage_rpc.delete_package(key) is None
    storage_rpc.delete_package(key)  # idempotent
    assert files_under(store_dir) == []
    with pytest.raises(NotFound, match=key):
        storage_rpc.stat(key)
    with pytest.raises(NotFound):
        storage_rpc.sign_url(key)
    response = requests.get(url, timeout=10)
    assert response.status_code == 404
    assert error_of(response) == {"type": "NotFound", "message": f"Package {key} not found."}


def test_unsafe_keys_are_invalid_over_rpc(storage_rpc):
    with pytest.raises(InvalidInput):
        storage_rpc.stat("../../etc/passwd")
    with pytest.raises(InvalidInput):
        storage_rpc.delete_package("/etc/passwd")


def test_ping_reports_the_provider(storage_rpc):
    assert storage_rpc.ping() == {"service": "storage", "status": "ok", "provider": "local"}


def test_unknown_routes_answer_json(service, web_session):
    missing = web_session.get("/v1/nothing")
    assert missing.status_code == 404
    assert error_of(missing)["type"] == "NotFound"
    wrong = web_session.post("/v1/packages")
    assert wrong.status_code == 405
    assert error_of(wrong)["type"] == "NotAllowed"


def test_generated_signing_key_is_kept_in_the_state_path(container_factory, config,
                                                         tmp_path, web_session):
    config["STORAGE"]["url_signing_key"] = ""
    container_factory(StorageService, config).start()
    key_file = tmp_path / "state" / "storage-signing.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    with ServiceRpcProxy("storage", config) as proxy:
        url = proxy.sign_url(upload(web_session, make_zip()).json()["key"])
    assert requests.get(url, timeout=10).status_code == 200


@pytest.fixture
def hours_later(monkeypatch):
    """The service's clock, moved ``hours`` ahead (the reaper and claims read it)."""
    import qinling_storage.service as service_module

    def move(hours):
        ahead = time.time() + hours * 3600
        monkeypatch.setattr(service_module, "time", SimpleNamespace(time=lambda: ahead))
    return move


def test_an_upload_never_claimed_is_reaped_a_claimed_one_is_kept(service, web_session,
                                                                storage_rpc, store_dir,
                                                                hours_later):
    """The gateway stored both; the function service claimed one when its function
    committed, and the create RPC of the other failed (service down, timeout)."""
    used = upload(web_session, make_zip()).json()["key"]
    orphan = upload(web_session, make_zip({"b.py": "x = 2\n"})).json()["key"]
    storage_rpc.claim_package(used)
    storage_rpc.claim_package(used)  # idempotent
    with entrypoint_hook(service, "reap_uploads") as reap:
        assert reap() == []  # within upload_expiration: kept
        hours_later(1)
        assert reap() == [orphan]
    assert files_under(store_dir) == [used]
    assert requests.get(storage_rpc.sign_url(used), timeout=10).status_code == 200
    with pytest.raises(NotFound):
        storage_rpc.claim_package(orphan)


def test_an_upload_claimed_too_late_is_refused(service, web_session, storage_rpc, hours_later):
    key = upload(web_session, make_zip()).json()["key"]
    hours_later(1)
    with pytest.raises(NotFound, match="was not claimed in time"):
        storage_rpc.claim_package(key)


def test_deleting_an_unclaimed_upload_removes_its_marker(service, web_session, storage_rpc,
                                                         store_dir):
    key = upload(web_session, make_zip()).json()["key"]
    storage_rpc.delete_package(key)
    assert files_under(store_dir) == []
