import pytest
from nameko.testing.services import worker_factory

from qinling_shared.exceptions import InvalidInput, NotFound

from qinling_function.service import FunctionService

PACKAGE = {"key": "default/p.zip", "md5sum": "m" * 32, "sha256": "s" * 64, "size": 10}


@pytest.fixture
def service(session, limits):
    svc = worker_factory(FunctionService, db=session, limits=limits, project_id="p1",
                         is_admin=False)
    svc.execution.get_runtime.return_value = {"id": "r1", "status": "available"}
    return svc


def test_create_stores_and_announces(service):
    fn = service.create_function({"code": '{"source": "package"}', "runtime_id": "r1",
                                  "name": "hello"}, PACKAGE)
    assert fn["code"] == {"source": "package", "md5sum": PACKAGE["md5sum"]}
    assert fn["project_id"] == "p1" and fn["name"] == "hello"
    service.dispatch.assert_called_once_with("function_created", {"id": fn["id"]})
    assert service.get_function_spec(fn["id"])["package_sha256"] == PACKAGE["sha256"]
    assert [f["id"] for f in service.list_functions()] == [fn["id"]]


def test_refused_function_deletes_its_upload(service):
    with pytest.raises(InvalidInput):
        service.create_function({"code": '{"source": "package"}', "runtime_id": "r1",
                                 "cpu": "9999"}, PACKAGE)
    service.storage.delete_package.assert_called_once_with(PACKAGE["key"])
    assert service.list_functions() == []


def test_runtime_not_available(service):
    service.execution.get_runtime.return_value = {"id": "r1", "status": "error"}
    with pytest.raises(InvalidInput, match="Runtime r1 is not available."):
        service.create_function({"code": '{"source": "package"}', "runtime_id": "r1"}, PACKAGE)


def test_other_projects_function_is_not_found(service, session, limits):
    fn = service.create_function({"code": '{"source": "package"}', "runtime_id": "r1"}, PACKAGE)
    other = worker_factory(FunctionService, db=session, limits=limits, project_id="p2",
                           is_admin=False)
    with pytest.raises(NotFound) as err:
        other.get_function(fn["id"])
    assert str(err.value) == f"Function not found [id={fn['id']}]"
    assert other.list_functions() == []
