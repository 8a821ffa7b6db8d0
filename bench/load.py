"""Closed-loop load: ``concurrency`` clients on keep-alive connections, ``total`` requests in all."""
import asyncio
import itertools
import time

import aiohttp


async def _client(session, targets, body_for, tickets, latencies, errors, check):
    for number in tickets:
        url = next(targets)
        started = time.perf_counter()
        try:
            async with session.post(url, json=body_for(number)) as response:
                payload = await response.json(content_type=None)
                problem = check(response.status, payload)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            problem = repr(error)
        if problem:
            errors.append(problem)
        else:
            latencies.append(time.perf_counter() - started)


async def _run(urls, body_for, total, concurrency, check, timeout):
    tickets = iter(range(total))  # shared: each client takes the next request number
    targets = itertools.cycle(urls)
    latencies, errors = [], []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(
            _client(session, targets, body_for, tickets, latencies, errors, check)
            for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return latencies, errors, wall


def run(urls, body_for, total, concurrency, check, timeout=60.0):
    """POST ``body_for(n)`` round-robin over ``urls``; ``check(status, json)`` returns an error
    text or None. Returns ``(latencies_s, errors, wall_s)``."""
    return asyncio.run(_run(urls, body_for, total, concurrency, check, timeout))
