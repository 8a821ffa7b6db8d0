"""Unit-test helpers for ExecutionService: the service on ``worker_factory`` with a fake
orchestrator, worker client and etcd, and a fake function service behind its RpcProxy."""
import sqlalchemy as sa
from nameko.testing.services import worker_factory
from sqlalchemy.orm import Session

from qinling_shared.exceptions import NotFound

from qinling_execution.async_queue import FakeQueueHandle
from qinling_execution.dependencies import Engine
from qinling_execution.in_flight import Runs
from qinling_execution.models import Base
from qinling_execution.orchestrators.fake import FakeOrchestrator
from qinling_execution.service import ExecutionService
from qinling_execution.worker_client import FakeWorkerClient
from qinling_execution.workers import FakeEtcd, WorkerMap


def new_session():
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return Session(engine, expire_on_commit=False)


def new_engine(orchestrator=None):
    """An engine whose background work (worker map writes, pool refills) is done at once."""
    return Engine(orchestrator or FakeOrchestrator(), WorkerMap(FakeEtcd()), 3,
                  FakeWorkerClient(), spawn=lambda function, *args: function(*args))


def spec(function_id="f1", project="p1", runtime_id=None, source="package", version=0,
         **changes):
    """A spec as ``function.get_function_spec`` returns it."""
    base = {"id": function_id, "project_id": project, "version": version,
            "runtime_id": runtime_id, "entry": "main.main", "cpu": 100,
            "memory_size": 33554432, "timeout": 5, "code": {"source": source},
            "package_key": f"{project}/{function_id}-{version}.zip",
            "package_sha256": "s" * 64, "package_md5": "m" * 32,
            "updated_at": "2024-01-01T00:00:00Z"}
    base.update(changes)
    return base


class FakeFunctions:
    """The function service's answers to the execution service: specs by
    ``(function_id, version)``, aliases by name, functions counted per runtime."""

    def __init__(self):
        self.specs = {}
        self.aliases = {}
        self.runtime_users = {}

    def add(self, function_spec):
        self.specs[(function_spec["id"], function_spec["version"])] = function_spec
        return function_spec

    def get_function_spec(self, function_id, version=0):
        found = self.specs.get((function_id, version))
        if found is None and version:
            raise NotFound(f"FunctionVersion not found [function_id={function_id}, "
                           f"version_number={version}]")
        if found is None:
            raise NotFound(f"Function not found [id={function_id}]")
        return dict(found)

    def resolve_alias(self, name):
        if name not in self.aliases:
            raise NotFound(f"FunctionAlias not found [name={name}]")
        function_id, version = self.aliases[name]
        return {"function_id": function_id, "function_version": version}

    def count_functions(self, runtime_id):
        return self.runtime_users.get(runtime_id, 0)


def make_service(session, engine, functions, project="p1", admin=False, queue=None,
                 runs=None):
    """``queue`` (a FakeQueueHandle) and ``runs`` (in_flight.Runs) are shared by the
    services made with the same ones, as by the workers of one service."""
    svc = worker_factory(ExecutionService, db=session, engine=engine, project_id=project,
                         is_admin=admin, execution_queue=queue or FakeQueueHandle(),
                         in_flight=runs or Runs())
    svc.storage.sign_url.side_effect = lambda key: f"http://s/{key}?expires=99999999999"
    for method in ("get_function_spec", "resolve_alias", "count_functions"):
        getattr(svc.function, method).side_effect = getattr(functions, method)
    return svc
