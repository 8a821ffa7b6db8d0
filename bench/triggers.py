"""Trigger latencies (#10), each beside a floor measured in the same run.

- Notification -> execution start: an event trigger (``POST /v1/event_triggers``, event type
  ``bench.event.*`` on exchange ``nova``) and real notifications published one at a time by
  oslo.messaging's ``Notifier`` (``messagingv2``, topic ``notifications``) on the platform's
  vhost, as the function's project; latency = the function's own start time - the publish
  time. Floors: kombu publish -> kombu consume on a topic exchange of the same vhost, and the
  same consumer fed by the ``Notifier`` (``broker_floor``).
- Job tick -> execution start: one-shot jobs (a cron pattern has whole minutes only, and a
  time set by a user must be a minute ahead), their ticks staggered so that their offsets
  within the scheduler's poll period (``job_firing.POLL_INTERVAL``; it waits for a tick due
  before its next poll) spread evenly; latency = the function's start - the tick's due time.
- What every trigger ends with: an async execution submitted as the trigger service submits
  it (``create_execution`` RPC) -> the function's start, and the same through the API
  (``POST /v1/executions``). The notification and job figures are shown beside it too.

Every time is ``time.time()`` of this host: the bench's, and the function's (it returns it).
The jobs are created first (their first tick is ``JOB_LEAD`` s ahead); the floors and the
notification samples are measured meanwhile, and stop before the first tick, so that no figure
runs beside another.
"""
import datetime
import time

import broker_floor
import execution_floors
import report
import stats
from qinling_testing.api_client import ApiClient
from qinling_trigger.job_firing import POLL_INTERVAL

EVENT_TYPE = "bench.event.*"
EXCHANGE = "nova"
JOB_LEAD = 65.0          # seconds from now to the first tick (a user's time: >= 60 s ahead)


# -- notifications ---------------------------------------------------------------------------

def create_event_trigger(api, function_id):
    """The trigger's id, or ``None`` with the reason when the platform has no event triggers."""
    response = api.post("/v1/event_triggers", json={
        "function_id": function_id, "event_type": EVENT_TYPE, "exchanges": [EXCHANGE],
        "name": "bench"})
    if response.status_code != 201:
        return None, f"POST /v1/event_triggers: HTTP {response.status_code}: {response.text[:200]}"
    return response.json()["id"], None


def publish(notifier, project_id, seq):
    """Publish notification ``seq`` as ``project_id``; its publish time."""
    sent = time.time()
    notifier.info({"project_id": project_id}, "bench.event.tick",
                  {"seq": seq, "tenant_id": project_id})
    return sent


def await_new(api, function_id, trigger_id, seen, seq, timeout=execution_floors.WAIT_SECONDS):
    """The ended execution the trigger started for notification ``seq`` (or a failed one it
    started since), not in ``seen`` (ids, updated); ``None`` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(execution_floors.POLL_SECONDS)
        for execution in execution_floors.ended_executions(api, function_id, trigger_id):
            if execution["id"] in seen:
                continue
            seen.add(execution["id"])
            if (execution["status"] != "success"
                    or execution_floors.output_of(execution)["seq"] == seq):
                return execution
    return None


def notification_latencies(api, notifier, function_id, project_id, trigger_id, count,
                           stop_at, warmup=5):
    """Seconds from each publish to the function's start, ``count`` notifications one at a
    time, after ``warmup`` ones (the first republished until the trigger's consumer is bound);
    stops early at ``stop_at`` (``time.time()``). ``(times, errors)``."""
    seen, seq = set(), 0
    bound_by = time.monotonic() + 60
    while True:
        seq -= 1
        publish(notifier, project_id, seq)
        if await_new(api, function_id, trigger_id, seen, seq, timeout=2) is not None:
            break
        if time.monotonic() > bound_by:
            return [], ["no execution for a notification within 60 s of creating the trigger"]
    for _ in range(warmup - 1):
        seq -= 1
        publish(notifier, project_id, seq)
        await_new(api, function_id, trigger_id, seen, seq)
    times, errors = [], []
    for seq in range(count):
        if time.time() > stop_at:
            errors.append(f"stopped after {seq} notifications: the first job tick was near")
            break
        sent = publish(notifier, project_id, seq)
        seconds, error = execution_floors.latency(
            await_new(api, function_id, trigger_id, seen, seq), sent, f"notification {seq}")
        (errors.append(error) if error else times.append(seconds))
    return times, errors


# -- jobs ------------------------------------------------------------------------------------

def schedule_jobs(api, function_id, count, step):
    """``count`` one-shot jobs, the first due ``JOB_LEAD`` s from now, then one every ``step``
    s. ``{job_id: due time (time.time())}``."""
    first = time.time() + JOB_LEAD
    jobs = {}
    for number in range(count):
        due = round(first + number * step, 3)
        when = datetime.datetime.fromtimestamp(due, datetime.timezone.utc)
        response = api.post("/v1/jobs", json={
            "function_id": function_id, "name": f"bench-tick-{number}",
            "first_execution_time": when.isoformat(timespec="milliseconds")})
        if response.status_code != 201:
            raise RuntimeError(f"POST /v1/jobs: HTTP {response.status_code}: "
                               f"{response.text[:300]}")
        job = response.json()
        rendered = datetime.datetime.strptime(job["next_execution_time"], "%Y-%m-%dT%H:%M:%SZ")
        if rendered != when.replace(tzinfo=None, microsecond=0):
            raise RuntimeError(f"job {job['id']}: next_execution_time {rendered}, not {when}")
        jobs[job["id"]] = due
    return jobs


def job_latencies(api, function_id, jobs):
    """Seconds from each job's due time to the function's start, once every job has fired
    (or 30 s after the last tick). ``(times, errors)``."""
    deadline = max(jobs.values()) + 30
    started = {}
    while len(started) < len(jobs) and time.time() < deadline:
        time.sleep(min(1.0, max(0.05, max(jobs.values()) - time.time())))
        response = api.get("/v1/executions", params={
            "function_id": function_id, "description": "has:Created by Job"})
        response.raise_for_status()
        for execution in response.json()["executions"]:
            job_id = execution["description"].rsplit(" ", 1)[-1]
            if job_id in jobs and execution["status"] in execution_floors.ENDED:
                started[job_id] = execution
    times, errors = [], []
    for job_id, due in jobs.items():
        seconds, error = execution_floors.latency(started.get(job_id), due,
                                                  f"job {job_id} (due {due:.3f})")
        (errors.append(error) if error else times.append(seconds))
    return times, errors


# -- the section -----------------------------------------------------------------------------

def row(what, times, errors, floor_name=None, floor=None):
    """A row of ``report.floor_table``, printed."""
    return beside((what, stats.summarize(times, sum(times) or 1, len(errors))), floor_name,
                  floor)


def beside(measured, floor_name=None, floor=None):
    """``measured`` (``(what, summary)``) as a row beside ``floor``, printed."""
    what, summary = measured[:2]
    line = (f"    {what[:64]:64} p50 {summary['p50_ms']:7.2f} ms  p99 {summary['p99_ms']:7.2f} ms"
            f"  n {summary['requests'] - summary['errors']}  errors {summary['errors']}")
    if floor:
        line += (f"  ({summary['p50_ms'] - floor['p50_ms']:+.2f} / "
                 f"{summary['p99_ms'] - floor['p99_ms']:+.2f} ms over {floor_name})")
    print(line, flush=True)
    return (what, summary, floor_name, floor)


def measure_notifications(api, transport_url, function_id, project_id, count, stop_at,
                          floor):
    """The notification row (``None`` without event triggers) and its notes."""
    trigger_id, missing = create_event_trigger(api, function_id)
    if trigger_id is None:
        note = f"TODO: notification -> execution start not measured ({missing})"
        print(f"    {note}", flush=True)
        return None, [note]
    print(f"==> {count} notifications, one at a time, event trigger {trigger_id}", flush=True)
    publisher, transport = broker_floor.notifier(transport_url, EXCHANGE)
    try:
        times, errors = notification_latencies(api, publisher, function_id, project_id,
                                               trigger_id, count, stop_at)
    finally:
        transport.cleanup()
    api.delete(f"/v1/event_triggers/{trigger_id}")
    return (row("notification -> execution start (event trigger)", times, errors, "kombu",
                floor),
            [f"notifications: {error}" for error in errors[:1]] + [
                f"notifications: {count} published one at a time by oslo.messaging's Notifier "
                f"(messagingv2, exchange {EXCHANGE}, topic notifications, publisher "
                "compute.bench) as the function's project, each once the execution of the one "
                f"before had ended, after 5 unmeasured ones; event trigger {EVENT_TYPE} on "
                f"{EXCHANGE}"])


def run(platform, runtime_id, notifications=100, ticks=30, tick_step=1.1, floor_count=200,
        async_count=30):
    """The trigger section of the report and its notes. ``notifications`` or ``ticks`` 0:
    skip that figure."""
    api = ApiClient(platform.url)
    transport_url = platform.rabbit.transport_url
    function_id, project_id = execution_floors.create_clock_function(api, runtime_id)
    print(f"==> triggers: warming the clock function {function_id}", flush=True)
    execution_floors.warm(api, function_id, 20)
    jobs = schedule_jobs(api, function_id, ticks, tick_step) if ticks else {}
    first_tick = min(jobs.values(), default=float("inf"))
    if jobs:
        print(f"==> {ticks} one-shot jobs due from {first_tick - time.time():.0f} s on, every "
              f"{tick_step:g} s", flush=True)
    print(f"==> broker floors ({floor_count} messages each), 2 x {async_count} async "
          "submissions", flush=True)
    kombu = row("kombu publish -> kombu consume (floor)",
                broker_floor.kombu_floor(transport_url, floor_count), [])
    rows = [kombu, row("oslo Notifier publish -> kombu consume",
                       broker_floor.notifier_floor(transport_url, floor_count), [],
                       "kombu", kombu[1])]
    times, errors = execution_floors.rpc_floor(platform, api, function_id, project_id, async_count)
    submit = row("async execution: create_execution RPC -> execution start (floor)", times,
                 errors)
    times, more = execution_floors.post_floor(api, function_id, async_count)
    post = row("async execution: POST /v1/executions -> execution start", times, more,
               "RPC", submit[1])
    notes, notification = [f"async floors: {error}" for error in (errors + more)[:1]], None
    if notifications:
        notification, more = measure_notifications(api, transport_url, function_id, project_id,
                                                   notifications, first_tick - 3, kombu[1])
        rows += [notification] if notification else []
        notes += more
    rows += [submit, post]
    if notification:   # the same samples, beside the trigger service's own submission
        rows.append(beside(("notification -> execution start (the same samples)",
                            notification[1]), "RPC", submit[1]))
    if jobs:
        print(f"==> waiting for the job ticks (the last in "
              f"{max(jobs.values()) - time.time():.0f} s)", flush=True)
        times, errors = job_latencies(api, function_id, jobs)
        rows.append(row("job tick due -> execution start", times, errors, "RPC", submit[1]))
        notes += [f"jobs: {error}" for error in errors[:1]] + [
            f"jobs: {ticks} one-shot jobs due every {tick_step:g} s (a cron pattern has whole "
            "minutes only, and a user's time must be a minute ahead), so the ticks fall at "
            f"every phase of the scheduler's {POLL_INTERVAL:g} s poll, which waits for a tick "
            "due before the next one"]
    api.close()
    notes.append("trigger latencies: time.time() of the function at its entry - the publish "
                 "time (or the tick's due time, or the time before the submission), one host "
                 "clock; RPC floor: create_execution (async) called as the trigger service "
                 "calls it, as the project, with an idempotency key")
    return "## Triggers\n\n" + report.floor_table(rows), notes
