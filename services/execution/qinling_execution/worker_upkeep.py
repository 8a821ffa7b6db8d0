"""The upkeep of this replica's workers (handler of a timer, every ``UPKEEP_INTERVAL`` s):
keep the worker map's lease and watch alive, forget dead workers, stop idle ones, refill the
warm pools of the available runtimes (in the background) and remove stray keys of the worker
map.
"""
import logging

from qinling_shared.status import RuntimeStatus

from qinling_execution.models import Runtime

LOG = logging.getLogger(__name__)
UPKEEP_INTERVAL = 1.0  # seconds


def upkeep(session, worker_map, placement, warm_pool):
    runtimes = session.query(Runtime).filter(
        Runtime.status == RuntimeStatus.AVAILABLE.value).all()
    keep([{"id": r.id, "image": r.image} for r in runtimes], worker_map, placement, warm_pool)


def keep(runtimes, worker_map, placement, warm_pool):
    """One round of upkeep, given the available runtimes (``[{"id", "image"}]``). Each step
    runs even when another fails (e.g. while etcd is down)."""
    for step in (worker_map.keep_alive, placement.reap_dead, placement.reap_idle,
                 lambda: warm_pool.keep(runtimes), placement.reap_strays):
        try:
            step()
        except Exception:
            LOG.exception("upkeep step %s failed", getattr(step, "__name__", step))
