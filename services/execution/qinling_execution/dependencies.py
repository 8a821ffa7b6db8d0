"""The execution service's dependency providers: each builds one port from the container config,
once per service container, and injects it into every Nameko worker.

Placement needs the orchestrator, the worker map and the warm pool, and the warm pool needs the
orchestrator: a provider finds the providers it needs among its container's dependencies
(``_sibling``). Providers are set up concurrently, so each builds its port once, on first need,
whichever asks first. Placement's setup starts the worker map and rebuilds this replica's state
from it (``Placement.start``) before any entrypoint starts; its stop closes the orchestrator
(stopping this replica's workers), then gives up the worker map's lease.

Container config: ``ORCHESTRATOR`` (``{"name", "settings"}``), ``ETCD`` (the ``[etcd]``
options as ``qinling_shared.config.etcd_settings`` gives them, TLS included, with the key
``prefix``) and ``ENGINE``: ``function_concurrency``, ``function_service_expiration``, and
optionally ``pool_size`` (default 0), ``replica_id`` (default ``"local"``; stable across
restarts of one replica, unique among live replicas) and ``lease_ttl``.
"""
from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider

from qinling_execution import metrics, scaling
from qinling_execution.caches import Caches
from qinling_execution.etcd_store import EtcdStore
from qinling_execution.orchestrators import load_orchestrator
from qinling_execution.placement import Placement
from qinling_execution.warm_pool import WarmPool
from qinling_execution.worker_client import WorkerClient
from qinling_execution.worker_map import LEASE_TTL, WorkerMap


class _BuiltOnce(DependencyProvider):
    """Provides one object, built on first need: by this provider's ``setup`` or by a sibling
    provider that needs it."""

    def __init__(self):
        super().__init__()
        self._lock = Semaphore()
        self._built = None

    def build(self, config):
        raise NotImplementedError

    def built(self):
        with self._lock:
            if self._built is None:
                self._built = self.build(self.container.config)
        return self._built

    def setup(self):
        self.built()

    def get_dependency(self, worker_ctx):
        return self._built

    def _sibling(self, provider_class):
        """What this container's provider of class ``provider_class`` provides."""
        (provider,) = [dependency for dependency in self.container.dependencies
                       if type(dependency) is provider_class]
        return provider.built()


class OrchestratorProvider(_BuiltOnce):
    """The orchestrator driver (closed by :class:`PlacementProvider` at stop)."""

    def build(self, config):
        return load_orchestrator(config["ORCHESTRATOR"]["name"],
                                 config["ORCHESTRATOR"]["settings"])


class WorkerMapProvider(_BuiltOnce):
    """The worker map in etcd (started and stopped by :class:`PlacementProvider`)."""

    def build(self, config):
        etcd = config["ETCD"]
        settings = config["ENGINE"]
        return WorkerMap(EtcdStore.connect(etcd), etcd.get("prefix", "/qinling/"),
                         owner=settings.get("replica_id", "local"),
                         lease_ttl=settings.get("lease_ttl", LEASE_TTL))


class WarmPoolProvider(_BuiltOnce):
    """``pool_size`` idle workers per available runtime, started by the orchestrator."""

    def build(self, config):
        return WarmPool(self._sibling(OrchestratorProvider), config["ENGINE"].get("pool_size", 0))


class PlacementProvider(_BuiltOnce):
    """Placement over the orchestrator, the worker map and the warm pool; owns the start and
    the stop of this replica's part in the worker map."""

    def build(self, config):
        settings = config["ENGINE"]
        policy = scaling.Policy(concurrency=settings["function_concurrency"],
                                pool_size=settings.get("pool_size", 0),
                                idle_expiration=settings["function_service_expiration"])
        return Placement(self._sibling(OrchestratorProvider), self._sibling(WorkerMapProvider),
                         policy, self._sibling(WarmPoolProvider))

    def setup(self):
        self.built().start()
        metrics.WORKERS.add(self._built)

    def stop(self):
        if self._built is not None:
            metrics.WORKERS.discard(self._built)
            self._built.orchestrator.close()
            self._built.worker_map.stop()


class WorkerClientProvider(_BuiltOnce):
    """One worker client (its keep-alive connections) per replica."""

    def build(self, config):
        return WorkerClient()

    def stop(self):
        if self._built is not None:
            self._built.close()


class CachesProvider(_BuiltOnce):
    """This replica's caches of specs, aliases, runtimes and signed package URLs."""

    def build(self, config):
        return Caches()
