"""The function service is the one owner of an upload handed to it: claimed just before the
function (or the update) that uses it commits, deleted when the request is refused or fails."""
import pytest
from sqlalchemy.exc import OperationalError

from qinling_shared.exceptions import InvalidInput, NotFound, Unavailable

from qinling_function import packages

PACKAGE_CODE = '{"source": "package"}'


def test_a_created_function_claims_its_upload(service, storage):
    upload = storage.put("p1", b"zip")
    service.create_function({"code": PACKAGE_CODE, "runtime_id": "r1"}, upload)
    assert storage.claimed == [upload["key"]] and storage.unclaimed == set()
    assert storage.deleted == []


def test_a_refused_function_deletes_its_upload_unclaimed(service, storage):
    upload = storage.put("p1", b"zip")
    with pytest.raises(InvalidInput) as err:
        service.create_function({"runtime_id": "r1"}, upload)  # no code
    assert str(err.value) == "Required param is missing. Required: {'code'}"
    assert storage.claimed == [] and storage.deleted == [upload["key"]]


def test_an_upload_that_cannot_be_claimed_refuses_the_function(service, storage):
    upload = storage.put("p1", b"zip")
    storage.packages.pop(upload["key"])  # reaped meanwhile
    with pytest.raises(NotFound):
        service.create_function({"code": PACKAGE_CODE, "runtime_id": "r1"}, upload)
    assert service.list_functions() == [] and storage.deleted == [upload["key"]]


def test_a_failed_commit_deletes_the_claimed_upload(service, storage, session, monkeypatch):
    upload = storage.put("p1", b"zip")

    def broken_commit():
        raise OperationalError("COMMIT", {}, Exception("database went away"))
    monkeypatch.setattr(session, "commit", broken_commit)
    with pytest.raises(OperationalError):
        service.create_function({"code": PACKAGE_CODE, "runtime_id": "r1"}, upload)
    assert storage.claimed == [upload["key"]] and storage.deleted == [upload["key"]]


def test_an_update_claims_its_upload_a_refused_one_deletes_it(service, storage,
                                                              package_function):
    fn = package_function(b"v1")
    new = storage.put("p1", b"v2")
    service.update_function(fn["id"], {"source": "package"}, new)
    assert storage.claimed[-1] == new["key"]
    refused = storage.put("p1", b"v3")
    with pytest.raises(InvalidInput):
        service.update_function(fn["id"], {"cpu": "1"}, refused)
    assert refused["key"] not in storage.claimed and refused["key"] in storage.deleted


def test_discard_logs_a_failing_storage_service(caplog):
    class DownStorage:
        def delete_package(self, key):
            raise Unavailable("Service 'storage' is not running.")
    packages.discard(DownStorage(), "p1/k.zip")
    packages.discard(DownStorage(), None)
    assert "could not delete package p1/k.zip" in caplog.text
