"""The gateway's view of which services have a consumer on their RPC queue.

Before it publishes a request, the RPC client asks this view whether anybody consumes the
service's queue: if nobody does, it answers 503 at once and publishes nothing, so a refused
request can never run later. The view costs no round trip per call: a count is probed (a
passive queue declare) when it is older than ``max_age``, by one probe that concurrent calls
share; the calls waiting for a reply also refresh it while they wait, so a service that died
is noticed within ``max_age`` even with no new calls.
"""
import asyncio
import time

UNKNOWN = -1   # what a probe that failed returns: the broker did not say


class ConsumerCounts:
    """``probe(queue)`` → consumers on ``queue``, ``None`` when it does not exist, or
    :data:`UNKNOWN`."""

    def __init__(self, probe, max_age, clock=time.monotonic):
        self._probe, self.max_age, self._clock = probe, max_age, clock
        self._counts = {}   # queue -> (count, when probed)
        self._probes = {}   # queue -> the probe running now

    async def current(self, queue):
        """The count of ``queue``, probed again first when it is older than ``max_age``;
        :data:`UNKNOWN` when the broker never said."""
        known = self._counts.get(queue)
        if known is not None and self._clock() - known[1] < self.max_age:
            return known[0]
        return await self.refresh(queue)

    async def refresh(self, queue):
        """Probe ``queue`` now (or join the probe running); a failed probe keeps the last
        count the broker gave."""
        probe = self._probes.get(queue)
        if probe is None:
            probe = asyncio.get_running_loop().create_task(self._probe_and_keep(queue))
            self._probes[queue] = probe
            probe.add_done_callback(lambda _: self._probes.pop(queue, None))
        return await asyncio.shield(probe)

    async def _probe_and_keep(self, queue):
        count = await self._probe(queue)
        if count == UNKNOWN:
            known = self._counts.get(queue)
            return UNKNOWN if known is None else known[0]
        self.keep(queue, count)
        return count

    def keep(self, queue, count):
        """Take ``count`` as the consumers of ``queue`` now (any probe of the queue, such as
        ``/healthz``'s, tells)."""
        self._counts[queue] = (count, self._clock())
