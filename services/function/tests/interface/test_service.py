"""The function service in a real container, over a real RabbitMQ vhost, on SQLite and PostgreSQL."""
import uuid

import pytest
import sqlalchemy as sa
from nameko.events import event_handler
from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from qinling_function.service import FunctionService
from qinling_shared.exceptions import NotFound


class StubExecution:
    """Stands in for the execution service: one available runtime."""
    name = "execution"

    @rpc
    def get_runtime(self, runtime_id):
        if runtime_id != "r1":
            raise NotFound(f"Runtime not found [id={runtime_id}]")
        return {"id": "r1", "status": "available"}


class Listener:
    name = "listener"

    @event_handler("function", "function_created")
    def on_created(self, payload):
        return payload["id"]


class StubStorage:
    name = "storage"
    deleted = []

    @rpc
    def delete_package(self, key):
        StubStorage.deleted.append(key)


def postgres_url():
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/qinling_test_{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/function.sqlite"
        return
    url = postgres_url()
    yield url
    admin = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def config(rabbit_config, database_url, limits):
    return {**rabbit_config, "DATABASE_URL": database_url, "RESOURCE_LIMITS": limits}


@pytest.fixture
def services(runner_factory, config):
    runner = runner_factory(config, FunctionService, StubExecution, StubStorage, Listener)
    runner.start()
    return runner


PACKAGE = {"key": "default/a.zip", "md5sum": "m" * 32, "sha256": "s" * 64, "size": 3}


def test_create_get_list(services, config):
    context = {"project_id": "p1", "is_admin": False}
    with ServiceRpcProxy("function", config, context_data=context) as function:
        created = function.create_function(
            {"code": '{"source": "package"}', "runtime_id": "r1", "name": "hello"}, PACKAGE)
        assert function.get_function(created["id"])["name"] == "hello"
        assert [f["id"] for f in function.list_functions()] == [created["id"]]


def test_unknown_runtime_is_404_and_upload_is_deleted(services, config):
    StubStorage.deleted.clear()
    with ServiceRpcProxy("function", config) as function:
        with pytest.raises(NotFound, match=r"Runtime not found \[id=nope\]"):
            function.create_function({"code": '{"source": "package"}', "runtime_id": "nope"},
                                     PACKAGE)
    assert StubStorage.deleted == [PACKAGE["key"]]


def test_created_event_dispatched(services, config):
    with ServiceRpcProxy("function", config) as function:
        with entrypoint_waiter(_listener(services), "on_created") as result:
            created = function.create_function(
                {"code": '{"source": "package"}', "runtime_id": "r1"}, PACKAGE)
    assert result.get() == created["id"]


def _listener(runner):
    return next(c for c in runner.containers if c.service_name == "listener")
