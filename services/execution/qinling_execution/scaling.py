"""Pure scaling decisions: functions of counts, no I/O, no clock."""


def needs_scale_up(running, workers, concurrency):
    """Qinling's rule: a function with no worker, or more than ``concurrency`` executions
    per worker (counting the new one), gets another worker."""
    if workers == 0:
        return True
    return running / workers > concurrency


def pick_worker(in_flight):
    """The least busy worker of a function, given ``{worker_name: executions in flight}``."""
    return min(in_flight, key=lambda name: (in_flight[name], name))
