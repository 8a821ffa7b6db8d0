"""Unit-test helpers for ExecutionService: the service on ``worker_factory`` with the fake
orchestrator, worker client and etcd, and a fake function service behind its RpcProxy."""
import time

import sqlalchemy as sa
from fakes import FakeEtcd, FakeQueueHandle, FakeWorkerClient
from nameko.testing.services import worker_factory
from sqlalchemy.orm import Session

from qinling_nameko.providers import Caller
from qinling_shared.exceptions import NotFound

from qinling_execution import scaling
from qinling_execution.active_runs import ActiveRuns
from qinling_execution.caches import Caches
from qinling_execution.models import Base
from qinling_execution.orchestrators.fake import FakeOrchestrator
from qinling_execution.placement import Placement
from qinling_execution.service import ExecutionService
from qinling_execution.warm_pool import WarmPool
from qinling_execution.worker_map import WorkerMap


def new_session():
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return Session(engine, expire_on_commit=False)


def run_now(function, *args):
    function(*args)


class Ports:
    """The ports the service's dependency providers build, as one replica's: the fake
    orchestrator and worker client, a worker map (on a FakeEtcd unless given), and the real warm
    pool, placement and caches over them. Background work (worker map writes, warm pool
    refills) is done at once."""

    def __init__(self, orchestrator=None, worker_map=None, concurrency=3, pool_size=0,
                 idle_expiration=3600.0, clock=time.monotonic):
        self.orchestrator = orchestrator or FakeOrchestrator()
        self.worker_map = worker_map or WorkerMap(FakeEtcd())
        self.warm_pool = WarmPool(self.orchestrator, pool_size, spawn=run_now)
        policy = scaling.Policy(concurrency=concurrency, pool_size=pool_size,
                                idle_expiration=idle_expiration)
        self.placement = Placement(self.orchestrator, self.worker_map, policy, self.warm_pool,
                                   clock, run_now)
        self.worker_client = FakeWorkerClient()
        self.caches = Caches()

    def dependencies(self):
        """The service's dependencies these replace (``worker_factory``,
        ``replace_dependencies``)."""
        return {"orchestrator": self.orchestrator, "worker_map": self.worker_map,
                "warm_pool": self.warm_pool, "placement": self.placement,
                "worker_client": self.worker_client, "caches": self.caches}

    def start(self):
        """What the placement provider does at setup."""
        self.placement.start()

    def close(self):
        """What the placement provider does at stop."""
        self.orchestrator.close()
        self.worker_map.stop()


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


def make_service(session, ports, functions, project="p1", admin=False, queue=None,
                 active_runs=None):
    """``queue`` (a FakeQueueHandle) and ``active_runs`` are shared by the services made with
    the same ones, as by the Nameko workers of one service."""
    svc = worker_factory(ExecutionService, db=session, caller=Caller(project, admin),
                         execution_queue=queue or FakeQueueHandle(),
                         active_runs=active_runs or ActiveRuns(), **ports.dependencies())
    svc.storage.sign_url.side_effect = lambda key: f"http://s/{key}?expires=99999999999"
    for method in ("get_function_spec", "resolve_alias", "count_functions"):
        getattr(svc.function, method).side_effect = getattr(functions, method)
    return svc
