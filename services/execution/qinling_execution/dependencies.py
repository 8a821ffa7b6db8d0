"""Dependency providers: build the engine's collaborators once per service, from config."""
from etcd3gw.client import Etcd3Client
from nameko.extensions import DependencyProvider

from qinling_execution.caches import PackageUrls, TtlCache
from qinling_execution.orchestrators import load_orchestrator
from qinling_execution.placement import Placement
from qinling_execution.worker_client import WorkerClient
from qinling_execution.workers import WorkerMap


class Engine:
    """What the execution service needs to run functions, wired together."""

    def __init__(self, orchestrator, worker_map, concurrency, worker_client):
        self.orchestrator = orchestrator
        self.worker_map = worker_map
        self.placement = Placement(orchestrator, worker_map, concurrency)
        self.worker_client = worker_client
        self.specs = TtlCache()    # (function_id, version) -> spec
        self.aliases = TtlCache()  # (alias name, project_id) -> resolved alias
        self.package_urls = PackageUrls()


class EngineProvider(DependencyProvider):
    """Reads ``ORCHESTRATOR``, ``ETCD`` and ``ENGINE`` from the container config."""

    def __init__(self, engine=None):
        self.engine = engine

    def setup(self):
        if self.engine is not None:
            return
        config = self.container.config
        etcd = dict(config["ETCD"])
        prefix = etcd.pop("prefix", "/qinling/")
        client = Etcd3Client(timeout=5, **etcd)
        orchestrator = load_orchestrator(config["ORCHESTRATOR"]["name"],
                                         config["ORCHESTRATOR"]["settings"])
        self.engine = Engine(orchestrator, WorkerMap(client, prefix),
                             config["ENGINE"]["function_concurrency"], WorkerClient())
        self.engine.placement.reap_orphans()

    def stop(self):
        self.engine.orchestrator.close()

    def get_dependency(self, worker_ctx):
        return self.engine
