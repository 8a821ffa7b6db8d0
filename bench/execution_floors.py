"""The clock function every trigger figure runs (it returns ``time.time()`` taken at its
entry), and the asynchronous execution path every trigger ends with, as floors: an async
``create_execution`` RPC as the trigger service sends it, and an async ``POST
/v1/executions``, each to the function's start."""
import json
import time
import uuid

from nameko.standalone.rpc import ClusterRpcProxy
from qinling_shared.config import amqp_uri
from qinling_shared.context import tenancy
from qinling_testing.packages import zip_package

CLOCK_SOURCE = '''\
import time


def main(payload=None, **kwargs):
    started = time.time()
    seq = payload.get("seq") if isinstance(payload, dict) else None
    return {"started": started, "seq": seq}
'''
ENDED = {"success", "error", "failed"}
POLL_SECONDS = 0.02      # between two looks for an execution
WAIT_SECONDS = 20.0      # for one execution to end


def create_clock_function(api, runtime_id):
    """The function that returns its own start time; ``(function_id, project_id)``."""
    response = api.create_function(runtime_id, name="clock",
                                   package=zip_package({"main.py": CLOCK_SOURCE}))
    response.raise_for_status()
    body = response.json()
    return body["id"], body["project_id"]


def output_of(execution):
    """The function's return value (``{"started", "seq"}``) of an ended execution."""
    output = json.loads(execution["result"])["output"]
    return json.loads(output) if isinstance(output, str) else output


def warm(api, function_id, count):
    for _ in range(count):
        response = api.execute(function_id, input={"payload": {"seq": None}})
        if response.status_code != 201 or response.json().get("status") != "success":
            raise RuntimeError(f"warming the clock function: HTTP {response.status_code}: "
                               f"{response.text[:300]}")


def ended_executions(api, function_id, description, limit=5):
    """The latest ended executions of ``function_id`` whose description has ``description``."""
    response = api.get("/v1/executions", params={
        "function_id": function_id, "description": f"has:{description}",
        "sort_key": "created_at", "sort_dir": "desc", "limit": limit})
    response.raise_for_status()
    return [e for e in response.json()["executions"] if e["status"] in ENDED]


def latency(execution, since, what):
    """``(seconds from since to the function's start, None)`` of an ended execution, or
    ``(None, error text)`` when there is none or it did not succeed."""
    if execution is None:
        return None, f"{what}: no ended execution"
    if execution["status"] != "success":
        return None, (f"{what}: execution {execution['id']} {execution['status']}: "
                      f"{execution.get('result')}"[:300])
    return output_of(execution)["started"] - since, None


def started_after(api, execution_id, sent):
    """``latency`` of execution ``execution_id`` from ``sent``, once it ended."""
    execution = api.wait_for_status(f"/v1/executions/{execution_id}", ENDED,
                                    timeout=WAIT_SECONDS, interval=POLL_SECONDS)
    return latency(execution, sent, "submission")


def timed_submissions(api, submit, count):
    """``submit()`` (returns an execution id) ``count`` times, one at a time; the seconds from
    each call to the function's start. ``(times, errors)``."""
    times, errors = [], []
    for _ in range(count):
        sent = time.time()
        try:
            execution_id = submit()
        except Exception as error:  # noqa: BLE001 - a failed submission is a counted error
            errors.append(repr(error)[:300])
            continue
        seconds, error = started_after(api, execution_id, sent)
        (errors.append(error) if error else times.append(seconds))
    return times, errors


def post_floor(api, function_id, count):
    """Seconds from an async ``POST /v1/executions`` to the function's start."""
    def submit():
        response = api.execute(function_id, input={"payload": {"seq": None}}, sync=False)
        if response.status_code != 201:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
        return response.json()["id"]
    return timed_submissions(api, submit, count)


def rpc_floor(platform, api, function_id, project_id, count):
    """Seconds from an async ``create_execution`` RPC, as the trigger service submits one
    (as the project, with an idempotency key, no HTTP), to the function's start."""
    config = {"AMQP_URI": amqp_uri(platform.rabbit.transport_url)}
    values = {"function_id": function_id, "sync": False,
              "input": json.dumps({"payload": {"seq": None}}), "description": "bench submit"}
    with ClusterRpcProxy(config, context_data=tenancy(project_id)) as rpc:
        def submit():
            return rpc.execution.create_execution(
                values, idempotency_key=f"bench-submit:{uuid.uuid4()}",
                request_key=str(uuid.uuid4()))["id"]
        submit()   # the proxy's first call sets up its reply queue
        return timed_submissions(api, submit, count)
