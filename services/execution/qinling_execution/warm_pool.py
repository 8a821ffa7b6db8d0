"""Warm pools: idle, pre-started workers per runtime, kept by this replica.

A cold start takes an idle worker of the function's runtime and binds it (``Placement``) instead
of starting a process on the request path. Pools are refilled off the request path: after every
take (a spawned green thread) and by the upkeep timer (``keep``), which also empties the pools
of runtimes that are gone and replaces idle workers of a runtime's previous image.
"""
import logging
import uuid

import eventlet

from qinling_shared.exceptions import QinlingError

from qinling_execution import metrics, scaling

LOG = logging.getLogger(__name__)


def idle_worker_name():
    """A DNS label; the worker keeps it once bound to a function."""
    return f"w{uuid.uuid4().hex[:12]}"


class WarmPool:
    def __init__(self, orchestrator, size, spawn=eventlet.spawn_n):
        self.orchestrator = orchestrator
        self.size = size
        self.spawn = spawn
        self._idle = {}         # runtime_id -> {worker name: image}
        self._filling = set()   # runtime ids a refill is running for

    def idle(self, runtime_id):
        """Names of the runtime's idle workers."""
        return sorted(self._idle.get(runtime_id, {}))

    def take(self, runtime):
        """Take an idle worker of ``runtime`` (``{"id", "image"}``) started from its current
        image out of the pool: its name, or None when there is none. Starts a refill."""
        idle = self._idle.get(runtime["id"], {})
        name = next((n for n, image in sorted(idle.items()) if image == runtime["image"]), None)
        if name is not None:
            del idle[name]
        metrics.warm_pool_take(runtime["id"], hit=name is not None)
        if self.size:
            self.spawn(self.refill, runtime)
        return name

    def refill(self, runtime):
        """Start idle workers one by one until the runtime has ``size``; the number started.
        One refill per runtime runs at a time; a worker that cannot start ends this refill
        (the next upkeep tries again)."""
        runtime_id = runtime["id"]
        if runtime_id in self._filling:
            return 0
        self._filling.add(runtime_id)
        started = 0
        try:
            while scaling.pool_shortfall(self._count(runtime), self.size):
                name = idle_worker_name()
                try:
                    self.orchestrator.start_idle_worker(runtime_id, runtime["image"], name)
                except QinlingError as exc:
                    LOG.warning("idle worker for runtime %s did not start: %s", runtime_id, exc)
                    break
                self._idle.setdefault(runtime_id, {})[name] = runtime["image"]
                started += 1
        finally:
            self._filling.discard(runtime_id)
        return started

    def keep(self, runtimes):
        """The pools' upkeep, given the runtimes that are available now (``[{"id", "image"}]``):
        stop idle workers of other runtimes or of an older image, refill the rest."""
        current = {runtime["id"]: runtime for runtime in runtimes}
        for runtime_id, idle in list(self._idle.items()):
            runtime = current.get(runtime_id)
            for name in [n for n, image in idle.items()
                         if runtime is None or image != runtime["image"]]:
                self._discard(runtime_id, name)
            if not self._idle.get(runtime_id):
                self._idle.pop(runtime_id, None)
        for runtime in runtimes:
            if self.size and scaling.pool_shortfall(self._count(runtime), self.size):
                self.spawn(self.refill, runtime)

    def idle_counts(self):
        """``{runtime_id: idle workers}`` (for the metrics)."""
        return {runtime_id: len(idle) for runtime_id, idle in list(self._idle.items())}

    def idle_names(self):
        return {name for idle in self._idle.values() for name in idle}

    def forget(self, names):
        """Drop the idle workers ``names`` from the pools (they crashed); no stop."""
        for idle in self._idle.values():
            for name in [n for n in idle if n in names]:
                LOG.warning("idle worker %s is gone", name)
                del idle[name]

    def _count(self, runtime):
        return sum(1 for image in self._idle.get(runtime["id"], {}).values()
                   if image == runtime["image"])

    def _discard(self, runtime_id, name):
        if self._idle.get(runtime_id, {}).pop(name, None) is not None:
            self.orchestrator.stop_worker(name)
