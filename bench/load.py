"""Closed-loop load: ``concurrency`` clients on keep-alive connections, ``total`` requests in
all; or one request to each of several targets in turn (``alternate``)."""
import asyncio
import contextlib
import itertools
import random
import time

import aiohttp


async def _one(session, method, url, body, check):
    """``(seconds, None)`` of one request, or ``(None, problem)``."""
    started = time.perf_counter()
    try:
        async with session.request(method, url, json=body) as response:
            payload = await response.json(content_type=None)
            problem = check(response.status, payload)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        problem = repr(error)
    return (None, problem) if problem else (time.perf_counter() - started, None)


async def _client(session, targets, body_for, tickets, latencies, errors, check, method):
    for number in tickets:
        body = None if body_for is None else body_for(number)
        latency, problem = await _one(session, method, next(targets), body, check)
        (errors.append(problem) if problem else latencies.append(latency))


async def _run(urls, body_for, total, concurrency, check, timeout, method, headers):
    tickets = iter(range(total))  # shared: each client takes the next request number
    targets = itertools.cycle(urls)
    latencies, errors = [], []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(
            _client(session, targets, body_for, tickets, latencies, errors, check, method)
            for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return latencies, errors, wall


def run(urls, body_for, total, concurrency, check, timeout=60.0, method="POST", headers=None):
    """``method`` (POST) ``body_for(n)`` (JSON; ``None``: no body) round-robin over ``urls``,
    with ``headers`` on every request; ``check(status, json)`` returns an error text or None.
    Returns ``(latencies_s, errors, wall_s)``."""
    return asyncio.run(_run(urls, body_for, total, concurrency, check, timeout, method,
                            headers))


async def _alternate(targets, total, timeout, seed):
    results = [([], []) for _ in targets]
    order, shuffle = list(range(len(targets))), random.Random(seed).shuffle
    async with contextlib.AsyncExitStack() as stack:
        sessions = [await stack.enter_async_context(aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1), headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout)))
            for _, _, _, _, headers in targets]
        for number in range(total):
            shuffle(order)
            for index in order:
                method, url, body_for, check, _ = targets[index]
                body = None if body_for is None else body_for(number)
                latency, problem = await _one(sessions[index], method, url, body, check)
                latencies, errors = results[index]
                (errors.append(problem) if problem else latencies.append(latency))
    return [(latencies, errors, sum(latencies)) for latencies, errors in results]


def alternate(targets, total, timeout=60.0, seed=0):
    """One request to each of ``targets`` (``(method, url, body_for | None, check, headers)``)
    in turn, ``total`` times, so that every target meets the same background noise; each on
    its own keep-alive connection. The order is shuffled every time (seeded): in a fixed or
    reversed order some targets would follow themselves or their own server more often than
    others, and a server just used answers faster. One ``(latencies_s, errors, busy_s)`` per
    target (``busy_s``: the sum of its latencies)."""
    return asyncio.run(_alternate(targets, total, timeout, seed))
