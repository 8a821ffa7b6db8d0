"""Pure scaling decisions: functions of counts and timestamps, no I/O, no clock of their own.

Placement (the hot path) and the upkeep timer gather the numbers, call these functions and carry
out what they return; drivers never decide when to scale.
"""
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """The numbers every decision depends on (``[engine]`` options, read at the edge)."""

    concurrency: int = 3             # executions one worker takes before another is added
    pool_size: int = 0               # idle pre-started workers kept per runtime
    idle_expiration: float = 3600.0  # seconds a worker may stay idle before it is stopped
    max_burst: int = 8               # most workers one decision adds at once

    def __post_init__(self):
        for name in ("concurrency", "max_burst"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.pool_size < 0 or self.idle_expiration < 0:
            raise ValueError("pool_size and idle_expiration must not be negative")


def workers_needed(demand, concurrency):
    """Workers that hold ``demand`` executions at ``concurrency`` each (none for no demand)."""
    return math.ceil(demand / concurrency) if demand > 0 else 0


def workers_to_add(demand, workers, policy):
    """How many workers to start now, so that ``demand`` executions (running plus waiting for a
    worker) fit ``policy.concurrency`` per worker.

    One execution at a time this is Qinling's rule (a first worker, then one more whenever
    running / workers > concurrency); when many executions wait at once it is a burst of several
    workers, at most ``policy.max_burst``.
    """
    return max(0, min(workers_needed(demand, policy.concurrency) - workers, policy.max_burst))


def pick_worker(loads):
    """The least loaded worker, given ``{worker_name: load}`` (a worker's load: the runs it
    serves now); ties go to the first name, so light load gathers on few workers and the others
    can go idle."""
    return min(loads, key=lambda name: (loads[name], name))


def idle_workers(activity, now, expiration):
    """Names of workers to stop, given ``{name: (load, last used)}``: those serving no run
    whose last run ended ``expiration`` seconds before ``now`` or earlier. Every worker of a
    function may go: idle functions scale to zero."""
    return sorted(name for name, (running, last_used) in activity.items()
                  if running == 0 and now - last_used >= expiration)


def workers_to_remove(loads, count, keep=1):
    """At most ``count`` names of ``{name: load}`` to stop for a manual scale down, always
    keeping ``keep`` workers: the least loaded first, then the last names (the ones
    :func:`pick_worker` uses least)."""
    removable = max(0, len(loads) - keep)
    by_name_last = sorted(loads, reverse=True)
    ranked = sorted(by_name_last, key=lambda name: loads[name])  # stable: ties keep name order
    return ranked[:min(count, removable)]


def pool_shortfall(idle, size):
    """Idle workers a runtime's warm pool lacks."""
    return max(0, size - idle)
