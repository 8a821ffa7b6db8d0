"""What Keystone authentication costs the warm path (#11): the same requests on a platform
without Keystone (the bench's) and on a second one with ``[keystone_authtoken]`` naming a
throwaway Keystone (``qinling_testing.keystone``), with alice's token, once it is cached.

- Warm sync executions (``POST /v1/executions``, 1 client), a cheap authenticated read
  (``GET /v1/functions/<id>``: one RPC, one indexed query) and a path without a route (the
  gateway authenticates, then answers 404: authentication and nothing else), each on both
  platforms: one request of each in turn (``load.alternate``: in a new random order every
  time, each on its own keep-alive connection), so that all meet the same noise of a shared
  machine; the difference at p50 is the cost of authentication, against the 1 ms target.
- In process, with the Keystone platform's own ``qinling.conf`` (``qinling_shared.config``):
  ``identity.Keystone.validate(token)`` of a token in auth_token's cache; the same through a
  thread pool (what every request paid before ``confirmed_tokens``); ``Keystone.tenancy`` of a
  token it remembers (what a request pays now); and the bare hop (a no-op through the pool).

Run alone: ``.venv/bin/python bench/auth.py`` (starts both platforms, ~2 minutes; prints the
section and writes it to ``bench/results/auth.md``).
"""
import argparse
import asyncio
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import load
import report
import stats
from qinling_api import identity
from qinling_shared import config
from qinling_testing.api_client import ApiClient
from qinling_testing.keystone import KeystoneServer
from qinling_testing.platform import healthy_platform

HERE = Path(__file__).resolve().parent
TARGET_MS = 1.0      # cached token validation must not cost the warm path more at p50
INPUT = {"name": "bench"}
UNROUTED = "/v1/bench-auth"    # no route: the gateway authenticates, then answers 404
MICRO = ("in process: `Keystone.validate(token)`, token in auth_token's cache",
         "in process: thread pool hop + `validate` (every request, before `confirmed_tokens`)",
         "in process: `Keystone.tenancy(request)`, token remembered (`confirmed_tokens`)",
         "in process: bare thread pool hop (`run_in_executor` of a no-op)")


def check_execution(status, body):
    if status != 201 or not isinstance(body, dict) or body.get("status") != "success":
        return f"HTTP {status}: {str(body)[:200]}"
    return None


def check_read(status, body):
    if status != 200 or not isinstance(body, dict):
        return f"HTTP {status}: {str(body)[:200]}"
    return None


def check_not_found(status, body):
    return None if status == 404 else f"HTTP {status}: {str(body)[:200]}"


def prepare_keystone_platform(platform, keystone):
    """A runtime made by the admin, the hello function by alice: ``(function_id, token)``."""
    admin = ApiClient(platform.url, headers={"X-Auth-Token": keystone.token("admin")})
    runtime = admin.create_runtime()
    runtime.raise_for_status()
    admin.wait_for_status(f"/v1/runtimes/{runtime.json()['id']}", {"available"}, timeout=120)
    unauthenticated = admin.get(UNROUTED, headers={"X-Auth-Token": None}).status_code
    if unauthenticated != 401:
        raise RuntimeError(f"GET {UNROUTED} without a token: HTTP {unauthenticated}, not 401")
    token = keystone.token("alice")
    alice = ApiClient(platform.url, headers={"X-Auth-Token": token})
    function = alice.create_function(runtime.json()["id"], name="hello")
    function.raise_for_status()
    admin.close()
    alice.close()
    return function.json()["id"], token


def paths(name, url, function_id, headers):
    """The measured requests of one platform: ``(label, (method, url, body_for, check,
    headers))``."""
    def body_for(number):
        return {"function_id": function_id, "input": json.dumps(INPUT)}
    return [(f"warm sync execution, {name}",
             ("POST", url + "/v1/executions", body_for, check_execution, headers)),
            (f"GET /v1/functions/<id>, {name}",
             ("GET", url + f"/v1/functions/{function_id}", None, check_read, headers)),
            (f"GET {UNROUTED} (404 once authenticated), {name}",
             ("GET", url + UNROUTED, None, check_not_found, headers))]


def measure(all_paths, total):
    """``{label: (latencies, errors, busy)}``: one request of each path in turn."""
    results = load.alternate([target for _, target in all_paths], total)
    return {label: result for (label, _), result in zip(all_paths, results)}


def warm(all_paths, count):
    for label, (latencies, errors, _) in measure(all_paths, count).items():
        if errors:
            raise RuntimeError(f"warming {label}: {errors[0]}")


def timed(call, count):
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


async def timed_async(call, count):
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return times


def in_process(conf_path, token, calls):
    """``{label: seconds}`` of each ``MICRO`` figure, ``calls`` times each, in this process
    with the Keystone platform's ``qinling.conf``."""
    keystone = identity.from_conf(config.load(["--config-file", str(conf_path)]))
    if keystone.validate(token).get("status") != identity.CONFIRMED:   # asks Keystone, caches
        raise RuntimeError("alice's token was not confirmed in process")
    request = SimpleNamespace(path="/v1/functions", headers={"X-Auth-Token": token})
    pool = ThreadPoolExecutor(8, thread_name_prefix="bench-hop")

    async def loop_figures():
        loop = asyncio.get_running_loop()
        through = await timed_async(
            lambda: loop.run_in_executor(pool, keystone.validate, token), calls)
        await keystone.tenancy(request, "req-bench")       # remembers the token
        remembered = await timed_async(lambda: keystone.tenancy(request, "req-bench"), calls)
        hop = await timed_async(lambda: loop.run_in_executor(pool, int), calls)
        return through, remembered, hop
    try:
        direct = timed(lambda: keystone.validate(token), calls)
        through, remembered, hop = asyncio.run(loop_figures())
    finally:
        keystone.close()
        pool.shutdown()
    return dict(zip(MICRO, (direct, through, remembered, hop)))


def summary(latencies, errors=(), wall=0.0):
    return stats.summarize(latencies, wall, len(errors))


def section(pooled, micro, requests):
    """The Markdown section, and its verdict lines."""
    rows, verdicts = [], []
    plain = [label for label in pooled if label.endswith("no Keystone")]
    for floor_label in plain:
        floor = summary(*pooled[floor_label])
        label = floor_label.replace("no Keystone", "alice's token, Keystone")
        measured = summary(*pooled[label])
        rows += [(floor_label, floor, None, None), (label, measured, "no Keystone", floor)]
        verdicts.append((floor_label.rsplit(",", 1)[0], measured["p50_ms"] - floor["p50_ms"]))
    validate, through, remembered, hop = (summary(micro[name]) for name in MICRO)
    rows += [(MICRO[0], validate, None, None), (MICRO[1], through, "validate", validate),
             (MICRO[2], remembered, "hop + validate", through), (MICRO[3], hop, None, None)]
    verdicts += [("`Keystone.validate`, in auth_token's cache, in process", validate["p50_ms"]),
                 ("`Keystone.tenancy`, token remembered, in process", remembered["p50_ms"])]
    target = ["| figure | cost at p50 | target |", "|---|---:|---|"]
    for what, cost in verdicts:
        target.append(f"| {what} | {cost:+.3f} ms | {'met' if cost <= TARGET_MS else 'NOT met'}"
                      f" (≤ {TARGET_MS:g} ms) |")
    text = ("## Keystone authentication on the warm path (#11)\n\n"
            f"{requests} requests per HTTP row, 1 client, one request of each row in turn "
            "(in a random order each time); "
            f"{len(micro[MICRO[0]])} calls per in-process row.\n\n"
            + report.floor_table(rows, (50, 95, 99)) + "\n\n" + "\n".join(target))
    return text, [f"auth cost at p50, {what}: {cost:+.3f} ms" for what, cost in verdicts]


def run(platform, function_id, requests=1000, warmup=50, calls=1000):
    """The section (Markdown) and its notes. ``platform``: the bench's, without Keystone,
    with the warm hello function ``function_id``."""
    print("==> auth: starting Keystone and a platform with Keystone", flush=True)
    with KeystoneServer() as keystone, healthy_platform(conf_overrides={
            "keystone_authtoken": keystone.authtoken_options()}) as secured:
        secured_function, token = prepare_keystone_platform(secured, keystone)
        all_paths = (paths("no Keystone", platform.url, function_id, None)
                     + paths("alice's token, Keystone", secured.url, secured_function,
                             {"X-Auth-Token": token}))
        print(f"==> auth: warming ({warmup} of each request), then {requests} of each, in "
              "turn", flush=True)
        warm(all_paths, warmup)
        pooled = measure(all_paths, requests)
        print(f"==> auth: in process, {calls} calls each", flush=True)
        micro = in_process(secured.conf_path, token, calls)
    notes = [f"auth {label}: {len(errors)} errors, first: {errors[0]}"
             for label, (_, errors, _) in pooled.items() if errors]
    text, verdicts = section(pooled, micro, requests)
    return text, verdicts + notes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=HERE / "results" / "auth.md")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    print("==> starting a private platform without Keystone", flush=True)
    with healthy_platform() as platform:
        with ApiClient(platform.url) as api:
            runtime = api.create_runtime()
            runtime.raise_for_status()
            api.wait_for_status(f"/v1/runtimes/{runtime.json()['id']}", {"available"}, 120)
            function = api.create_function(runtime.json()["id"], name="hello")
            function.raise_for_status()
        function_id = function.json()["id"]
        text, notes = run(platform, function_id, args.requests, calls=args.calls)
    text += "\n\n" + "\n".join(f"- {note}" for note in notes) + "\n"
    report.publish(text, args.output)


if __name__ == "__main__":
    main()
