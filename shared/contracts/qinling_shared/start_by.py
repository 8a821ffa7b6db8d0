"""The start-by rule of RPC requests: a request its caller may have given up on never starts.

The gateway stamps every request with the time by which it must start (header
:data:`HEADER`, epoch milliseconds) and lets it expire in the broker at that time (AMQP
``expiration``), so a request that waited too long in a queue is dropped unseen. The service's
RPC entrypoint (``qinling_nameko.rpc``) decides what to do with one it was handed anyway
(:func:`verdict`): one that sat too long in its prefetch buffer, or one it is handed again
because the replica that took it first died (a redelivery).

A request may wait to start at most :data:`START_SHARE` of its call's timeout, and the gateway
waits for its reply the whole timeout (a request that started in time has the rest to answer),
so a request the gateway gave up on is past its start-by: it can no longer start.
"""
import enum

HEADER = "x-qinling-start-by"
START_SHARE = 0.5   # of a call's timeout, at most, that its request may wait to start


class Verdict(enum.Enum):
    RUN = "run"                  # a first delivery, in time
    REPLAY = "replay"            # delivered again, in time: the caller still waits
    LATE_REPLAY = "late_replay"  # delivered again, late: only what the first delivery recorded
    REFUSE = "refuse"            # late: nothing starts; the caller gets ``Unavailable``


def window(timeout, start_window):
    """Seconds a request may wait to start: ``start_window``, at most a share of the call's
    ``timeout``."""
    return min(start_window, timeout * START_SHARE)


def stamp(now, start_window):
    """The header value for a request published at ``now`` (epoch seconds): the start-by
    time in epoch milliseconds, an integer (an AMQP float may be single precision)."""
    return int((now + start_window) * 1000)


def parse(value):
    """The start-by time (epoch seconds) of a header value; ``None`` when absent or not an
    integer (a caller that does not stamp its requests, such as a service's own RPC
    proxies)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value / 1000


def verdict(redelivered, start_by, now, replayable=False):
    """What a service does with a request: a late first delivery is refused; a late
    redelivery too, unless its method is ``replayable`` (an idempotent create, which then
    only answers with what its first delivery recorded). No start-by: always in time."""
    late = start_by is not None and now > start_by
    if not redelivered:
        return Verdict.REFUSE if late else Verdict.RUN
    if not late:
        return Verdict.REPLAY
    return Verdict.LATE_REPLAY if replayable else Verdict.REFUSE


def refusal(start_by, now):
    """The ``Unavailable`` message of a refused request."""
    return (f"The request was not started by its start-by time: it waited "
            f"{now - start_by:.1f} s too long; it did not run.")
