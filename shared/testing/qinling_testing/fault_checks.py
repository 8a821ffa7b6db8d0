"""What a fault test reads back from a platform once a fault is over: the executions of its
counted function (``qinling_testing.run_counter``) by number, the messages still waiting
for the execution service in the broker, and both once the platform has settled."""
import collections
import json
import time

from kombu import Connection

from qinling_shared import queues

PAGE = 1000


def executions_by_number(api, function_id):
    """``{n: [execution, ...]}``: the function's executions by the ``n`` of their input,
    every page of them."""
    rows, marker = collections.defaultdict(list), None
    while True:
        params = {"function_id": function_id, "limit": str(PAGE),
                  **({"marker": marker} if marker else {})}
        response = api.get("/v1/executions", params=params)
        assert response.status_code == 200, response.text
        page = response.json()["executions"]
        for execution in page:
            rows[json.loads(execution["input"])["n"]].append(execution)
        if len(page) < PAGE:
            return rows
        marker = page[-1]["id"]


def queued_messages(platform):
    """Requests and executions waiting in the broker for the execution service."""
    url = platform.rabbit.transport_url.replace("rabbit://", "amqp://")
    with Connection(url) as connection:
        channel = connection.channel()
        return sum(channel.queue_declare(name, passive=True).message_count
                   for name in (queues.rpc_queue("execution"), queues.EXECUTION_QUEUE))


def settled(platform, api, function_id, accepted, deadline, interval=0.2):
    """``executions_by_number`` once none is running, every number of ``accepted`` has its
    execution, and nothing waits for the execution service in the broker; fails after
    ``deadline`` seconds."""
    give_up = time.monotonic() + deadline
    while True:
        rows = executions_by_number(api, function_id)
        ended = all(e["status"] != "running" for made in rows.values() for e in made)
        if ended and set(accepted) <= set(rows) and queued_messages(platform) == 0:
            return rows
        assert time.monotonic() < give_up, "accepted executions still running or queued"
        time.sleep(interval)
