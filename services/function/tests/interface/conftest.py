"""The function service in a real container over a real RabbitMQ vhost, on SQLite,
PostgreSQL and MariaDB, with stub storage, execution and trigger services beside it."""
import hashlib
import itertools

import pytest
from nameko.events import event_handler
from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy

from qinling_shared.exceptions import InvalidInput, NotFound
from qinling_testing.databases import KINDS, scratch_database

from qinling_function.service import FunctionService


class StubExecution:
    """One available runtime; records which functions it was told to forget."""
    name = "execution"
    forgotten = []

    @rpc
    def get_runtime(self, runtime_id):
        if runtime_id != "r1":
            raise NotFound(f"Runtime not found [id={runtime_id}]")
        return {"id": "r1", "status": "available"}

    @rpc
    def check_images(self):
        return None

    @rpc
    def forget_function(self, function_id):
        StubExecution.forgotten.append(function_id)


class StubStorage:
    """Packages by key (bytes held here), one Swift object ``c/o``; records claims and
    deletions."""
    name = "storage"
    packages = {}
    claimed = []
    deleted = []
    swift = {}
    keys = itertools.count(1)

    @classmethod
    def put(cls, data, project_id="p1"):
        key = f"{project_id}/{next(cls.keys)}.zip"
        cls.packages[key] = data
        return {"key": key, "md5sum": hashlib.md5(data).hexdigest(),
                "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    @rpc
    def claim_package(self, key):
        if key not in StubStorage.packages:
            raise NotFound(f"Package {key} not found.")
        StubStorage.claimed.append(key)

    @rpc
    def delete_package(self, key):
        StubStorage.deleted.append(key)
        StubStorage.packages.pop(key, None)

    @rpc
    def copy_package(self, key, project_id):
        return StubStorage.put(StubStorage.packages[key], project_id)

    @rpc
    def stat_swift_object(self, container, obj):
        data = StubStorage.swift.get((container, obj))
        if data is None:
            raise InvalidInput("Failed to validate object in Swift.")
        return {"size": len(data), "etag": hashlib.md5(data).hexdigest()}

    @rpc
    def sign_url(self, key):
        return f"http://127.0.0.1:7071/v1/packages/{key}?expires=1&signature=s"


class StubTrigger:
    """``usage[(function_id, version)]`` → what ``function_usage`` answers."""
    name = "trigger"
    usage = {}

    @rpc
    def function_usage(self, function_id, version=None):
        return StubTrigger.usage.get((function_id, version), {"jobs": 0, "webhooks": 0})


class Listener:
    """Returns each event's payload, for ``entrypoint_waiter``."""
    name = "listener"

    @event_handler("function", "function_created")
    def on_created(self, payload):
        return payload

    @event_handler("function", "function_updated")
    def on_updated(self, payload):
        return payload

    @event_handler("function", "function_deleted")
    def on_deleted(self, payload):
        return payload

    @event_handler("function", "version_created")
    def on_version_created(self, payload):
        return payload

    @event_handler("function", "version_deleted")
    def on_version_deleted(self, payload):
        return payload

    @event_handler("function", "alias_updated")
    def on_alias_updated(self, payload):
        return payload

    @event_handler("function", "alias_deleted")
    def on_alias_deleted(self, payload):
        return payload


@pytest.fixture(params=KINDS)
def database_url(request, tmp_path):
    with scratch_database(request.param, tmp_path, "function") as url:
        yield url


@pytest.fixture
def config(rabbit_config, database_url, limits):
    return {**rabbit_config, "DATABASE_URL": database_url, "RESOURCE_LIMITS": limits,
            "FUNCTION": {"max_versions": 2}}


@pytest.fixture
def services(runner_factory, config):
    StubExecution.forgotten.clear()
    StubStorage.packages.clear()
    StubStorage.claimed.clear()
    StubStorage.deleted.clear()
    StubStorage.swift.clear()
    StubTrigger.usage.clear()
    runner = runner_factory(config, FunctionService, StubExecution, StubStorage, StubTrigger,
                            Listener)
    runner.start()
    return runner


@pytest.fixture
def storage(services):
    return StubStorage


@pytest.fixture
def trigger(services):
    return StubTrigger


@pytest.fixture
def execution(services):
    return StubExecution


@pytest.fixture
def listener(services):
    return next(c for c in services.containers if c.service_name == "listener")


@pytest.fixture
def rpc_as(config):
    """``with rpc_as("p1") as function:`` — the function service called as a project."""

    def proxy(project_id="p1", is_admin=False):
        return ServiceRpcProxy("function", config,
                               context_data={"project_id": project_id, "is_admin": is_admin})
    return proxy


@pytest.fixture
def function(services, rpc_as):
    with rpc_as() as proxy:
        yield proxy


@pytest.fixture
def make_function(function):
    """``make_function(data=b"v1", **fields)`` → a package function of project p1."""

    def create(data=b"v1", **fields):
        return function.create_function(
            {"code": '{"source": "package"}', "runtime_id": "r1", **fields},
            StubStorage.put(data))
    return create
