"""`make bench`: warm sync invocations through the gateway vs. directly on the worker, and a
50 MiB package through the gateway vs. a plain file copy.

Starts a private Platform (own vhost, etcd, ports), creates a runtime and the hello function,
warms it, records each process's idle memory, then runs closed-loop load at each concurrency:
POST /v1/executions (sync) on the gateway, and POST /execute on the function's workers with
the body the execution service sends (the floor). Then uploads and downloads a large package
(transfer.py), and measures trigger latencies: notification and job tick to execution start
(triggers.py), and what Keystone authentication costs the warm path, beside a second
platform with Keystone (auth.py). Prints the tables and writes them to
bench/results/latest.md. No assertions on timing.
"""
import argparse
import datetime
import json
import os
import platform as host
import subprocess
import sys
from pathlib import Path

import auth
import cpu
import cold_async
import load
import memory
import report
import stats
import transfer
import triggers
import workers
from qinling_testing.api_client import ApiClient
from qinling_testing.platform import Platform

HERE = Path(__file__).resolve().parent
INPUT = {"name": "bench"}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--requests", type=int, nargs="+", default=[300, 1000],
                        help="requests per run, one per --concurrency value")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4,
                        help="alternating gateway/worker rounds per concurrency")
    parser.add_argument("--package-mib", type=int, default=50,
                        help="size of the package uploaded and downloaded (0: skip)")
    parser.add_argument("--package-runs", type=int, default=3)
    parser.add_argument("--warm-only", dest="cold_async", action="store_false",
                        help="skip cold start, burst and async figures")
    parser.add_argument("--notifications", type=int, default=100,
                        help="notifications published for the event trigger figure (0: skip)")
    parser.add_argument("--job-ticks", type=int, default=30,
                        help="one-shot jobs for the job tick figure (0: skip; adds ~100 s)")
    parser.add_argument("--auth-requests", type=int, default=1000,
                        help="requests per path with and without Keystone (0: skip; starts "
                             "a Keystone and a second platform, ~1 min)")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "latest.md")
    args = parser.parse_args(argv)
    if len(args.requests) != len(args.concurrency):
        parser.error("give one --requests value per --concurrency value")
    return args


def check_execution(status, body):
    if status != 201 or not isinstance(body, dict):
        return f"HTTP {status}: {str(body)[:200]}"
    if body.get("status") != "success":
        return f"execution {body.get('id')} {body.get('status')}: {body.get('result')}"[:500]
    return None


def check_worker(status, body):
    if status != 200 or not isinstance(body, dict) or body.get("success") is False:
        return f"HTTP {status}: {str(body)[:200]}"
    return None


def prepare(api):
    runtime = api.create_runtime()
    runtime.raise_for_status()
    runtime_id = runtime.json()["id"]
    api.wait_for_status(f"/v1/runtimes/{runtime_id}", {"available"}, timeout=120)
    function = api.create_function(runtime_id, name="hello")
    function.raise_for_status()
    return runtime_id, function.json()["id"]


def measure(name, urls, body_for, total, concurrency, check, errors_seen):
    latencies, errors, wall = load.run(urls, body_for, total, concurrency, check)
    return report_run(name, concurrency, latencies, errors, wall, errors_seen)


def measure_interleaved(paths, total, concurrency, rounds, errors_seen):
    """Run each path ``(name, urls_of, body_for, check)`` for ``total / rounds`` requests in
    turn, ``rounds`` times, so that both face the same background noise of a shared machine;
    one result per path over all its rounds. ``urls_of()`` is asked before each round."""
    pooled = {name: ([], [], 0.0) for name, *_ in paths}
    for _ in range(rounds):
        for name, urls_of, body_for, check in paths:
            latencies, errors, wall = load.run(urls_of(), body_for, total // rounds,
                                               concurrency, check)
            done, failed, seconds = pooled[name]
            pooled[name] = (done + latencies, failed + errors, seconds + wall)
    return [report_run(name, concurrency, *pooled[name], errors_seen) for name, *_ in paths]


def report_run(name, concurrency, latencies, errors, wall, errors_seen):
    if errors:
        errors_seen.append(f"{name} c={concurrency}: {len(errors)} errors, first: {errors[0]}")
    result = stats.summarize(latencies, wall, len(errors))
    print(f"    {name:8} c={concurrency:<3} p50 {result['p50_ms']:7.2f} ms  "
          f"p99 {result['p99_ms']:7.2f} ms  {result['rps']:7.1f} req/s  errors {len(errors)}",
          flush=True)
    return result


def memory_rows(platform):
    rows = []
    for name, pid in sorted(platform.pids.items()):
        rss, pss = memory.rollup(pid)
        rows.append((f"qinling-{name}", str(pid), rss, pss))
    service = platform.pids["execution"]
    zygotes = memory.process_tree().get(service, [])
    if zygotes:
        rows.append((f"runtime zygotes ({len(zygotes)})", "", *memory.total(zygotes)))
    floor = memory.bare_interpreter()
    for name, found in zip(("idle warm worker", "bound worker, idle after the warm-up"),
                           memory.workers(service)):
        if found:
            sizes = sorted((memory.total(processes) for processes in found),
                           key=lambda size: size[1])
            rss, pss = sizes[len(sizes) // 2]
            rows.append((f"one {name} (median of {len(found)}; PSS {pss / floor[1]:.2f}x "
                         "the floor)", "", rss, pss))
    rows.append(("bare `python3 -I -S`, idle (floor of a worker)", "", *floor))
    rss, pss = memory.rollup(platform.etcd.proc.pid)
    rows.append(("etcd", str(platform.etcd.proc.pid), rss, pss))
    return rows


def cpu_breakdown(platform, gateway, body_for, concurrency, total, errors_seen):
    """A gateway run at ``concurrency`` with the CPU time of every process on its path,
    per request: where the throughput's ceiling comes from on a machine this size."""
    service = platform.pids["execution"]
    groups = {f"qinling-{name}": (lambda pid=pid: [pid])
              for name, pid in sorted(platform.pids.items())}
    groups["functions' workers (with their execution children)"] = (
        lambda: memory.descendants(service))
    broker = cpu.broker_pid()
    if broker:
        groups["RabbitMQ"] = lambda: [broker]
    groups["etcd"] = lambda: [platform.etcd.proc.pid]
    groups["the load generator (this process)"] = lambda: [os.getpid()]
    print(f"==> CPU per request: {total} gateway requests at concurrency {concurrency}",
          flush=True)
    take = cpu.usage(groups)
    latencies, errors, wall = load.run(gateway, body_for, total, concurrency, check_execution)
    used = take()
    report_run("gateway", concurrency, latencies, errors, wall, errors_seen)
    done = max(1, len(latencies))
    lines = [f"{done} warm sync executions through the gateway at concurrency {concurrency} "
             f"in {wall:.2f} s ({done / wall:.1f}/s), {os.cpu_count()} cores:", "",
             "| process | CPU ms per execution | share of the machine |", "|---|---:|---:|"]
    for name, value in sorted(used.items(), key=lambda item: -item[1]):
        lines.append(f"| {name} | {1000 * value / done:.2f} | "
                     f"{100 * value / wall / os.cpu_count():.0f}% |")
    lines.append(f"| **all** | {1000 * sum(used.values()) / done:.2f} | "
                 f"{100 * sum(used.values()) / wall / os.cpu_count():.0f}% |")
    return "## CPU per warm execution\n\n" + "\n".join(lines)


def header():
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                            capture_output=True, text=True).stdout.strip() or "unknown"
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{now}, commit {commit}, Python {host.python_version()}, {os.cpu_count()} cores; "
            "load generator (aiohttp, keep-alive) on the same machine.")


def run(args, platform):
    api = ApiClient(platform.url)
    runtime_id, function_id = prepare(api)
    gateway = [platform.url + "/v1/executions"]

    def gateway_body(number):
        return {"function_id": function_id, "input": json.dumps(INPUT)}

    errors = []
    print(f"==> warming {function_id} ({args.warmup} calls)", flush=True)
    measure("warm-up", gateway, gateway_body, args.warmup, 1, check_execution, errors)
    rows_memory = memory_rows(platform)
    worker_body = workers.body_factory(platform, function_id, INPUT)
    rows, spread = [], []
    for concurrency, total in zip(args.concurrency, args.requests):
        print(f"==> {total} requests at concurrency {concurrency}, gateway and worker in "
              f"{args.rounds} alternating rounds", flush=True)

        def worker_urls():
            return [url + "/execute" for url in workers.urls(platform, function_id)]
        via_gateway, direct = measure_interleaved(
            [("gateway", lambda: gateway, gateway_body, check_execution),
             ("worker", worker_urls, worker_body, check_worker)],
            total, concurrency, args.rounds, errors)
        urls = worker_urls()
        rows += [("gateway", concurrency, via_gateway), ("worker", concurrency, direct),
                 ("gateway / worker", concurrency, stats.ratio(via_gateway, direct)),
                 ("gateway − worker", concurrency, stats.overhead(via_gateway, direct))]
        spread.append(f"{len(urls)} at c={concurrency}")
    top = max(zip(args.concurrency, args.requests))
    cpu_section = cpu_breakdown(platform, gateway, gateway_body, *top, errors)
    api.close()
    notes = ["worker rows: requests round-robin over the function's workers found in etcd "
             f"before each round ({', '.join(spread)} at the end)",
             "p50/p99 over successful requests; req/s = successes / wall time"] + errors
    sections = [cpu_section]
    if args.cold_async:
        worker_rps = next((summary["rps"] for path, clients, summary in rows
                           if path == "worker" and clients == 1), None)
        section, section_notes = cold_async.run(platform, runtime_id, function_id,
                                                worker_rps=worker_rps)
        sections.append(section)
        notes += section_notes
    if args.package_mib > 0:
        package_section, package_notes = transfer.run(
            platform, runtime_id, args.package_mib, args.package_runs)
        sections.append(package_section)
        notes += package_notes
    if args.notifications > 0 or args.job_ticks > 0:
        trigger_section, trigger_notes = triggers.run(
            platform, runtime_id, notifications=args.notifications, ticks=args.job_ticks)
        sections.append(trigger_section)
        notes += trigger_notes
    if args.auth_requests > 0:
        auth_section, auth_notes = auth.run(platform, function_id, args.auth_requests)
        sections.append(auth_section)
        notes += auth_notes
    return report.document(header(), rows, rows_memory, notes, sections)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    print("==> starting a private platform", flush=True)
    with Platform(runtimes_dir=HERE.parent / "runtimes") as platform:
        platform.wait_healthy(120)
        text = run(args, platform)
    report.publish(text, args.output)


if __name__ == "__main__":
    main()
