"""Dependency providers: build the engine's collaborators once per service, from config."""
import logging
import time

import eventlet
from etcd3gw.client import Etcd3Client
from nameko.extensions import DependencyProvider

from qinling_execution import scaling
from qinling_execution.caches import PackageUrls, TtlCache
from qinling_execution.etcd_store import EtcdStore
from qinling_execution.orchestrators import load_orchestrator
from qinling_execution.placement import Placement
from qinling_execution.pools import WarmPool
from qinling_execution.worker_client import WorkerClient
from qinling_execution.workers import LEASE_TTL, WorkerMap

LOG = logging.getLogger(__name__)


class Engine:
    """What the execution service needs to run functions, wired together.

    ``pool_size`` idle workers are kept per available runtime; workers idle for
    ``idle_expiration`` seconds are stopped. ``clock`` and ``spawn`` are injectable for tests.
    """

    def __init__(self, orchestrator, worker_map, concurrency, worker_client, pool_size=0,
                 idle_expiration=3600.0, clock=time.monotonic, spawn=eventlet.spawn_n):
        self.orchestrator = orchestrator
        self.worker_map = worker_map
        self.policy = scaling.Policy(concurrency=concurrency, pool_size=pool_size,
                                     idle_expiration=idle_expiration)
        self.pool = WarmPool(orchestrator, pool_size, spawn)
        self.placement = Placement(orchestrator, worker_map, self.policy, self.pool, clock,
                                   spawn)
        self.worker_client = worker_client
        self.specs = TtlCache()    # (function_id, version) -> spec
        self.aliases = TtlCache()  # (alias name, project_id) -> resolved alias
        self.runtimes = TtlCache()  # (runtime_id,) -> runtime dict, or None when there is none
        self.package_urls = PackageUrls()

    def start(self):
        """Load and watch the worker map, then rebuild this replica's state from it."""
        self.worker_map.start(on_removed=self.placement.forget_worker)
        self.placement.recover()

    def upkeep(self, runtimes):
        """One tick of the upkeep timer, given the available runtimes (``[{"id", "image"}]``):
        keep the worker map's lease and watch alive, forget dead workers, stop idle ones, and
        refill the warm pools (in the background), remove stray keys. Each step runs even
        when another fails (e.g. while etcd is down)."""
        for step in (self.worker_map.keep_alive, self.placement.reap_dead,
                     self.placement.reap_idle, lambda: self.pool.keep(runtimes),
                     self.placement.reap_strays):
            try:
                step()
            except Exception:
                LOG.exception("upkeep step %s failed", getattr(step, "__name__", step))

    def close(self):
        self.orchestrator.close()
        self.worker_map.stop()


class EngineProvider(DependencyProvider):
    """Reads ``ORCHESTRATOR``, ``ETCD`` and ``ENGINE`` from the container config.

    ``ENGINE``: ``function_concurrency``, ``function_service_expiration``, and optionally
    ``pool_size`` (default 0), ``replica_id`` (default ``"local"``; stable across restarts of one
    replica, unique among live replicas) and ``lease_ttl``.
    """

    def __init__(self, engine=None):
        self.engine = engine

    def setup(self):
        if self.engine is not None:
            return
        config = self.container.config
        etcd = dict(config["ETCD"])
        prefix = etcd.pop("prefix", "/qinling/")
        settings = config["ENGINE"]
        worker_map = WorkerMap(EtcdStore(Etcd3Client(timeout=5, **etcd)), prefix,
                               owner=settings.get("replica_id", "local"),
                               lease_ttl=settings.get("lease_ttl", LEASE_TTL))
        orchestrator = load_orchestrator(config["ORCHESTRATOR"]["name"],
                                         config["ORCHESTRATOR"]["settings"])
        self.engine = Engine(orchestrator, worker_map, settings["function_concurrency"],
                             WorkerClient(), pool_size=settings.get("pool_size", 0),
                             idle_expiration=settings["function_service_expiration"])
        self.engine.start()

    def stop(self):
        self.engine.close()

    def get_dependency(self, worker_ctx):
        return self.engine
