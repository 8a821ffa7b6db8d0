"""Pure retry rules of asynchronous executions: what is retried, how often, after how long.

Only failures of the platform are retried: no worker could be started, the worker could not be
reached or broke before it answered, a service the run needs was unavailable. A function that
ran and failed (an exception, a timeout, a resource kill) is recorded as it is: running it again
would not change it and might repeat its side effects.

A message can also come back without an outcome: its consumer stopped (or failed) while
running it, and RabbitMQ delivered it again. That is expected after a crash, but a message
that brings its consumer down every time would come back forever: after
``MAX_INTERRUPTIONS`` such returns the execution is given up as well.

Delays double from ``base_delay`` up to ``max_delay`` (1, 2, 4, ... s). They are whole
milliseconds taken from a small fixed set of levels, because each level is a RabbitMQ queue
with its own message TTL: in one queue with per-message TTLs, a long delay at the head would
hold back every shorter one behind it. No jitter, for the same reason.
"""
import dataclasses

RECORD = "record"     # the outcome is final: record it
RETRY = "retry"       # a platform failure with retries left: run it again later
GIVE_UP = "give_up"   # a platform failure and no retries left: record it as an error


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` applies to functions that set none of their own."""

    max_retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 60.0

    def __post_init__(self):
        if self.max_retries < 0:
            raise ValueError("max_retries must not be negative")
        if not 0 < self.base_delay <= self.max_delay:
            raise ValueError("delays must satisfy 0 < base_delay <= max_delay")

    def delay_ms(self, retry):
        """Milliseconds to wait before retry number ``retry`` (1 for the first)."""
        if retry < 1:
            raise ValueError("retries are numbered from 1")
        base, cap = _ms(self.base_delay), _ms(self.max_delay)
        # 2 ** 40 ms is 35 years: no cap is that large, and the shift stays small
        return min(base << min(retry - 1, 40), cap)

    def levels(self):
        """Every delay ``delay_ms`` can return, shortest first."""
        levels, retry = [], 1
        while not levels or levels[-1] < _ms(self.max_delay):
            levels.append(self.delay_ms(retry))
            retry += 1
        return levels

    def limit_for(self, function_max_retries):
        """The function's own maximum when it has one, else the default."""
        if function_max_retries is None:
            return self.max_retries
        return function_max_retries


def next_step(platform_failure, retries_done, max_retries):
    """What to do with the outcome of a run that was retry number ``retries_done``
    (0 for the first run): :data:`RECORD`, :data:`RETRY` or :data:`GIVE_UP`."""
    if not platform_failure:
        return RECORD
    if retries_done < max_retries:
        return RETRY
    return GIVE_UP


MAX_INTERRUPTIONS = 3


def interrupted_too_often(deliveries, retries_done, limit=MAX_INTERRUPTIONS):
    """Whether an execution whose messages were taken ``deliveries`` times in all, now at
    retry number ``retries_done``, was interrupted more than ``limit`` times: each run (the
    first and every retry) takes one message once; every other take is an interruption."""
    return deliveries - (retries_done + 1) > limit


def _ms(seconds):
    return max(1, round(seconds * 1000))
