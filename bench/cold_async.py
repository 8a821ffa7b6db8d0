"""Cold-start and asynchronous figures, each beside its floor: cold start vs a bare fork of a warm
process, a burst of cold invocations, async accept latency and completion throughput."""
import concurrent.futures
import json
import os
import time

import load
import stats
from kombu import Connection, Queue
from qinling_shared.config import amqp_uri
from qinling_testing.api_client import ApiClient
from qinling_testing.packages import hello_package


def fork_floor(runs):
    """Seconds to fork this (warm, already imported) process, let the child exit, and reap it:
    the floor under any fork-based cold start."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        times.append(time.perf_counter() - started)
    return times


def publish_floor(transport_url, runs):
    """Seconds to publish one persistent message to a durable queue and have RabbitMQ confirm
    it (what an async accept must wait for, at least), in the platform's own vhost."""
    queue = Queue("bench-publish-floor", durable=True, auto_delete=False)
    times = []
    with Connection(amqp_uri(transport_url),
                    transport_options={"confirm_publish": True}) as connection:
        producer = connection.Producer(serializer="json")
        queue(connection.default_channel).declare()
        for _ in range(runs):
            started = time.perf_counter()
            producer.publish({"execution_id": "floor", "retries": 0}, routing_key=queue.name,
                             delivery_mode=2)
            times.append(time.perf_counter() - started)
        queue(connection.default_channel).delete()
    return times


def timed_execution(api, function_id, sync=True):
    started = time.perf_counter()
    response = api.execute(function_id, input={"name": "bench"}, sync=sync)
    elapsed = time.perf_counter() - started
    ok = response.status_code == 201 and (not sync or response.json()["status"] == "success")
    return elapsed, None if ok else f"HTTP {response.status_code}: {response.text[:200]}"


def new_function(api, runtime_id, number):
    response = api.create_function(runtime_id, name=f"cold-{number}", package=hello_package())
    response.raise_for_status()
    return response.json()["id"]


def cold_starts(api, runtime_id, count):
    """First sync invocation of ``count`` new functions, one after another."""
    times, errors = [], []
    for number in range(count):
        elapsed, error = timed_execution(api, new_function(api, runtime_id, number))
        (errors.append(error) if error else times.append(elapsed))
    return times, errors


def burst(url, runtime_id, size):
    """``size`` concurrent first invocations of one new function."""
    api = ApiClient(url)
    function_id = new_function(api, runtime_id, "burst")
    clients = [ApiClient(url) for _ in range(size)]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(size) as pool:
        results = list(pool.map(lambda c: timed_execution(c, function_id), clients))
    wall = time.perf_counter() - started
    workers = api.get(f"/v1/functions/{function_id}/workers").json()["workers"]
    return ([t for t, e in results if not e], [e for _, e in results if e], wall, len(workers))


def async_run(url, api, function_id, count):
    """Accept latency of ``count`` async submissions (one client on a keep-alive connection,
    as the warm sync figures), then seconds until all are terminal."""
    ids = []

    def accepted(status, body):
        if status != 201 or not isinstance(body, dict) or "id" not in body:
            return f"HTTP {status}: {str(body)[:200]}"
        ids.append(body["id"])
        return None

    started = time.perf_counter()
    accepts, errors, _ = load.run(
        [url + "/v1/executions"],
        lambda number: {"function_id": function_id, "input": json.dumps({"name": "bench"}),
                        "sync": False}, count, 1, accepted)
    deadline = time.monotonic() + 300
    pending = set(ids)
    while pending and time.monotonic() < deadline:
        listed = api.get("/v1/executions", params={"function_id": function_id,
                                                   "status": "running"}).json()["executions"]
        pending = {e["id"] for e in listed} & pending
        time.sleep(0.05)
    return accepts, errors, time.perf_counter() - started, len(ids) - len(pending)


def row(name, times, errors, floor_name=None, floor_ms=None):
    summary = stats.summarize(times, sum(times) or 1, len(errors))
    text = (f"| {name} | {summary['requests']} | {summary['errors']} | "
            f"{summary['p50_ms']:.2f} | {summary['p99_ms']:.2f} |")
    if floor_ms:
        text += f" {floor_name} | {summary['p50_ms'] / floor_ms:.1f}x |"
    else:
        text += " (floor) | 1.0x |"
    return text, summary


def run(platform, runtime_id, function_id, cold=10, burst_size=50, async_count=200,
        worker_rps=None):
    """The cold-start and async section of the report and its notes. ``worker_rps``: warm executions per
    second straight on the worker at one client (the floor of async completion)."""
    api = ApiClient(platform.url)
    fork = fork_floor(200)
    fork_ms = stats.summarize(fork, 1)["p50_ms"]
    publish = publish_floor(platform.rabbit.transport_url, 200)
    publish_ms = stats.summarize(publish, 1)["p50_ms"]
    print(f"==> cold starts ({cold} new functions)", flush=True)
    cold_times, cold_errors = cold_starts(api, runtime_id, cold)
    print(f"==> burst of {burst_size} cold invocations", flush=True)
    burst_times, burst_errors, burst_wall, burst_workers = burst(platform.url, runtime_id,
                                                                 burst_size)
    print(f"==> {async_count} async executions", flush=True)
    accepts, async_errors, async_wall, done = async_run(platform.url, api, function_id,
                                                        async_count)
    api.close()
    lines = ["| what | requests | errors | p50 ms | p99 ms | floor | p50 / floor |",
             "|---|---:|---:|---:|---:|---|---:|",
             row("bare fork of a warm process", fork, [])[0],
             row("cold start: first sync execution of a new function", cold_times, cold_errors,
                 "fork", fork_ms)[0],
             row(f"burst: {burst_size} concurrent first executions", burst_times, burst_errors,
                 "fork", fork_ms)[0],
             row("persistent message published to RabbitMQ, confirmed", publish, [])[0],
             row("async accept (POST sync=false → 201)", accepts, async_errors, "publish",
                 publish_ms)[0]]
    rate = done / async_wall
    completion = ["", "| async completion | executions | seconds | executions/s | floor | "
                  "ratio |", "|---|---:|---:|---:|---|---:|"]
    floor_text = (f"{worker_rps:.1f}/s straight on the worker, 1 client | "
                  f"{rate / worker_rps:.2f}x" if worker_rps else "n/a | ")
    completion.append(f"| {done} of {len(accepts)} accepted, then run | {done} | "
                      f"{async_wall:.2f} | {rate:.1f} | {floor_text} |")
    notes = [f"burst: {burst_wall:.2f} s wall for {burst_size}, {burst_workers} workers after it",
             "async completion: seconds from the first submission until all are terminal "
             "(accepts included)"]
    errors = cold_errors + burst_errors + async_errors
    if errors:
        notes.append(f"cold start and async errors: {len(errors)}, first: {errors[0]}")
    for note in notes:
        print(f"    {note}", flush=True)
    return "## Cold starts and asynchronous executions\n\n" + "\n".join(lines + completion), notes
