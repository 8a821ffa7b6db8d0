"""The gateway's view of consumers per RPC queue: no round trip per call, one probe shared."""
import asyncio

from qinling_api.consumers import UNKNOWN, ConsumerCounts


class Probe:
    """Answers ``answers`` in turn; counts the probes made."""

    def __init__(self, *answers):
        self.answers, self.made = list(answers), 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, queue):
        self.made += 1
        await self.gate.wait()
        return self.answers.pop(0)


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


async def test_a_count_is_probed_once_then_kept_for_max_age():
    probe, clock = Probe(1, 0), Clock()
    counts = ConsumerCounts(probe, max_age=1.0, clock=clock)
    assert [await counts.current("rpc-x") for _ in range(5)] == [1] * 5
    assert probe.made == 1
    clock.now += 1.0
    assert await counts.current("rpc-x") == 0
    assert probe.made == 2


async def test_concurrent_calls_share_one_probe():
    probe = Probe(2)
    probe.gate.clear()
    counts = ConsumerCounts(probe, max_age=1.0, clock=Clock())
    waiting = [asyncio.ensure_future(counts.current("rpc-x")) for _ in range(10)]
    await asyncio.sleep(0)
    probe.gate.set()
    assert await asyncio.gather(*waiting) == [2] * 10
    assert probe.made == 1


async def test_a_failed_probe_keeps_the_last_count_and_says_unknown_before_any():
    probe, clock = Probe(UNKNOWN, 3, UNKNOWN), Clock()
    counts = ConsumerCounts(probe, max_age=1.0, clock=clock)
    assert await counts.current("rpc-x") == UNKNOWN
    assert await counts.current("rpc-x") == 3
    clock.now += 5
    assert await counts.current("rpc-x") == 3


async def test_any_probe_of_the_queue_tells():
    probe, clock = Probe(), Clock()
    counts = ConsumerCounts(probe, max_age=1.0, clock=clock)
    counts.keep("rpc-x", None)   # e.g. /healthz found no queue
    assert await counts.current("rpc-x") is None
    assert probe.made == 0
