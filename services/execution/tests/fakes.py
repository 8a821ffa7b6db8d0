"""Fakes of the execution service's ports for unit tests: the worker client, the execution
queue's handle and etcd (the worker map's store). The fake orchestrator is
``qinling_execution.orchestrators.fake`` (the orchestrator contract suite runs it too)."""
from qinling_shared.exceptions import Unavailable

from qinling_execution.execution_queue import RUN_KEY, message
from qinling_execution.retries import RetryPolicy
from qinling_execution.worker_client import FAILED_MESSAGE


def echo_result(url, payload):
    """The fake worker client's default answer: the input as output, Qinling-style logs."""
    execution_id = payload.get("execution_id")
    return {"output": payload.get("input"), "success": True, "duration": 0.001,
            "logs": f"Start execution: {execution_id}\nFinished execution: {execution_id}\n"}


class FakeWorkerClient:
    """A WorkerClient for unit tests: records ``(url, payload)`` in ``calls`` and answers with
    ``respond(url, payload)``; URLs in ``unreachable`` fail as a dead worker does. ``cancel``
    calls are recorded in ``cancelled`` as ``(url, execution_id)``. Like a worker, it keeps
    the result of each ``(url, execution_id)`` it answered (``kept``) for ``outcome``, whose
    calls are recorded in ``asked``; ``running[(url, execution_id)] = n`` answers "running"
    ``n`` times before what is kept."""

    def __init__(self, respond=echo_result):
        self.respond = respond
        self.calls = []
        self.unreachable = set()
        self.cancelled = []
        self.kept = {}
        self.running = {}
        self.asked = []

    def execute(self, url, payload, timeout=None):
        self.calls.append((url, payload))
        if url in self.unreachable:
            return {"output": FAILED_MESSAGE, "success": False, "duration": 0,
                    "logs": f"The worker at {url} could not be reached: connection refused",
                    "platform_failure": True, "unreached": True}
        result = self.respond(url, payload)
        if not result.get("platform_failure"):
            self.kept[(url, payload.get("execution_id"))] = result
        return result

    def outcome(self, url, execution_id, wait=0.0):
        self.asked.append((url, execution_id, wait))
        key = (url, execution_id)
        if url in self.unreachable:
            return None, None
        if self.running.get(key):
            self.running[key] -= 1
            return "running", None
        if key in self.kept:
            return "finished", self.kept[key]
        return None, None

    def cancel(self, url, execution_id, timeout=2.0):
        self.cancelled.append((url, execution_id))
        return url not in self.unreachable


class FakeQueueHandle:
    """A QueueHandle for unit tests: ``messages`` holds ``(routing_key, body)`` as published;
    ``fail_with`` (an exception) makes the next publishes fail as a broker outage does."""

    def __init__(self, policy=None):
        self.policy = policy or RetryPolicy()
        self.messages = []
        self.fail_with = None

    def submit(self, execution_id):
        self._publish(message(execution_id), RUN_KEY)

    def retry(self, execution_id, retries):
        self._publish(message(execution_id, retries), f"delay-{self.policy.delay_ms(retries)}")

    def take(self):
        """The bodies published so far, forgotten here (as a consumer would take them)."""
        taken, self.messages = [body for _, body in self.messages], []
        return taken

    def _publish(self, body, routing_key):
        if self.fail_with is not None:
            raise Unavailable(f"The execution could not be queued: {self.fail_with!r}")
        self.messages.append((routing_key, body))


class FakeWatch:
    def __init__(self, store, prefix, on_event):
        self.store, self.prefix, self.on_event = store, prefix, on_event
        self.alive = True

    def cancel(self):
        self.alive = False


class FakeEtcd:
    """In-memory etcd with EtcdStore's interface, for unit tests. Watch events are delivered
    at once, in the caller's green thread. ``expire(lease)`` plays a lease running out;
    ``break_watches()`` plays a lost watch stream."""

    def __init__(self):
        self.data = {}    # key -> (value, lease)
        self.revision = 0
        self.leases = set()
        self.locks = {}   # name -> token
        self.watches = []
        self._next_id = 0

    def load(self, prefix):
        return self.revision, [(k, v) for k, (v, _) in sorted(self.data.items())
                               if k.startswith(prefix)]

    def put(self, key, value, lease=None):
        if lease is not None and lease not in self.leases:
            raise ValueError(f"lease {lease} not found")
        self.data[key] = (value, lease)
        self._changed("PUT", key, value)

    def delete(self, key):
        if self.data.pop(key, None) is not None:
            self._changed("DELETE", key, "")

    def delete_prefix(self, prefix):
        for key in [k for k in self.data if k.startswith(prefix)]:
            self.delete(key)

    def grant(self, ttl):
        self._next_id += 1
        self.leases.add(self._next_id)
        return self._next_id

    def refresh(self, lease):
        return lease in self.leases

    def revoke(self, lease):
        self.leases.discard(lease)
        for key in [k for k, (_, owner) in self.data.items() if owner == lease]:
            self.delete(key)

    expire = revoke

    def try_lock(self, name, ttl):
        if name in self.locks:
            return None
        self._next_id += 1
        self.locks[name] = self._next_id
        return name, self._next_id

    def unlock(self, lock):
        name, token = lock
        if self.locks.get(name) == token:
            del self.locks[name]

    def watch(self, prefix, start_revision, on_event):
        watch = FakeWatch(self, prefix, on_event)
        self.watches.append(watch)
        return watch

    def break_watches(self):
        for watch in self.watches:
            watch.alive = False

    def _changed(self, kind, key, value):
        self.revision += 1
        self.watches = [w for w in self.watches if w.alive]
        for watch in list(self.watches):
            if key.startswith(watch.prefix):
                watch.on_event(kind, key, value)
