"""Fakes of the services the function service calls, and a worker built on them."""
import hashlib
import itertools
from unittest import mock

import pytest
from nameko.testing.services import worker_factory

from qinling_nameko.providers import Caller
from qinling_shared.exceptions import InvalidInput, NotFound

from qinling_function.service import FunctionService


class FakeStorage:
    """Packages by key, as the storage service keeps them; uploads stay unclaimed until
    claimed; records claims and deletions."""

    def __init__(self):
        self.packages = {}
        self.unclaimed = set()
        self.claimed = []
        self.deleted = []
        self.swift = {}
        self.keys = itertools.count(1)

    def put(self, project_id, data):
        """An upload, as the gateway streams it to the storage service."""
        package = self.copy(project_id, data)
        self.unclaimed.add(package["key"])
        return package

    def copy(self, project_id, data):
        key = f"{project_id}/{next(self.keys)}.zip"
        self.packages[key] = data
        return {"key": key, "md5sum": hashlib.md5(data).hexdigest(),
                "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def copy_package(self, key, project_id):
        if key not in self.packages:
            raise NotFound(f"Package not found [key={key}]")
        return self.copy(project_id, self.packages[key])

    def claim_package(self, key):
        if key not in self.packages:
            raise NotFound(f"Package {key} not found.")
        self.claimed.append(key)
        self.unclaimed.discard(key)

    def delete_package(self, key):
        self.deleted.append(key)
        self.packages.pop(key, None)
        self.unclaimed.discard(key)

    def stat_swift_object(self, container, obj):
        if (container, obj) not in self.swift:
            raise InvalidInput("Failed to validate object in Swift.")
        data = self.swift[(container, obj)]
        return {"size": len(data), "etag": hashlib.md5(data).hexdigest()}

    def sign_url(self, key):
        if key not in self.packages and not key.startswith("swift/"):
            raise NotFound(f"Package not found [key={key}]")
        return f"http://storage/v1/packages/{key}?signature=x"


class FakeExecution:
    """``images = False``: its orchestrator cannot run image functions."""

    def __init__(self):
        self.runtimes = {"r1": "available", "r2": "error"}
        self.forgotten = []
        self.images = True

    def check_images(self):
        if not self.images:
            raise InvalidInput("Image functions need a container engine: none answers at "
                               "unix:///var/run/docker.sock ([local] container_engine).")

    def get_runtime(self, runtime_id):
        if runtime_id not in self.runtimes:
            raise NotFound(f"Runtime not found [id={runtime_id}]")
        return {"id": runtime_id, "status": self.runtimes[runtime_id]}

    def forget_function(self, function_id):
        self.forgotten.append(function_id)


class FakeTrigger:
    def __init__(self):
        self.usage = {}  # (function_id, version) -> {"jobs", "webhooks"}
        self.calls = []

    def function_usage(self, function_id, version=None):
        self.calls.append((function_id, version))
        return dict(self.usage.get((function_id, version), {"jobs": 0, "webhooks": 0}))


@pytest.fixture
def storage():
    return FakeStorage()


@pytest.fixture
def execution():
    return FakeExecution()


@pytest.fixture
def trigger():
    return FakeTrigger()


@pytest.fixture
def make_service(session, limits, storage, execution, trigger):
    """``make_service(project_id="p1", is_admin=False, max_versions=3)`` → a worker."""

    def make(project_id="p1", is_admin=False, max_versions=3):
        return worker_factory(
            FunctionService, db=session, limits=limits, settings={"max_versions": max_versions},
            storage=storage, execution=execution, trigger=trigger, dispatch=mock.Mock(),
            caller=Caller(project_id, is_admin))
    return make


@pytest.fixture
def service(make_service):
    return make_service()


@pytest.fixture
def package_function(service, storage):
    """``create(data=b"v1", **fields)`` → a package function made from fresh bytes."""

    def create(data=b"v1", project_id="p1", **fields):
        values = {"code": '{"source": "package"}', "runtime_id": "r1", **fields}
        return service.create_function(values, storage.put(project_id, data))
    return create
