"""The platform survives a restart of its broker (issue #9, D9): RabbitMQ restarts
(``rabbitmqctl stop_app; start_app``) while clients submit asynchronous executions, five
times. In each round, once the broker is back:

- every service serves again (``/healthz`` is 200: each service has a consumer on its queues
  and answers a ping) within 10 s of the broker's return, and no service process died;
- every POST answered 201 has exactly one execution, which succeeded and ran exactly once;
- nothing was run twice, whatever its POST was answered.

And the consumer of OpenStack notifications comes back by itself: after a restart, its
queue is bound again (the broker forgot the bindings of the non-durable exchanges) and a
notification published then runs its event trigger's function, once per message.

Runs are counted outside the platform (``qinling_testing.run_counter``), so a second run
shows even when the execution's row was recorded once.

The broker restarted is the machine's own unless ``QINLING_FAULT_*`` points at another node
(``qinling_testing.rabbit_node``). The restart runs in a session of its own, so the broker
is started again even if this process dies; the ``node`` fixture starts it again, whatever
happened, when the module ends.
"""
import collections
import threading
import time

import pytest

from qinling_testing import notifier
from qinling_testing.api_client import ApiClient
from qinling_testing.fault_checks import settled
from qinling_testing.packages import zip_package
from qinling_testing.platform import healthy_platform
from qinling_testing.rabbit_node import RabbitNode

ROUNDS = 5
COUNT = 100             # executions accepted per round
RESTART_AFTER = 20      # executions accepted before the broker restart begins
CLIENTS = 4
SERVES_AGAIN = 10.0     # seconds from the broker's return to a healthy platform
PAUSE_AFTER_REFUSAL = 0.1
ROUND_DEADLINE = 180.0
LISTENS_AGAIN = 10.0     # seconds from the broker's return to a notification that runs
PUBLISH_INTERVAL = 0.5
EVENT_SOURCE = '''\
import urllib.request


def main(payload, **kwargs):
    urllib.request.urlopen(f"{payload['counter']}/run/{payload['n']}", timeout=10).read()
    return payload["n"]
'''


@pytest.fixture(scope="module")
def node():
    """The broker to restart, up at the start and put back up at the end, whatever
    happened in between."""
    node = RabbitNode.from_environment()
    node.ensure_up()
    yield node
    node.ensure_up()


@pytest.fixture(scope="module")
def platform(node):
    with healthy_platform(rabbit=node.vhost(),
                          conf_overrides={"local": {"allow_network": "true"}}) as running:
        yield running


class Round:
    """``CLIENTS`` threads POST numbered asynchronous executions until ``COUNT`` are
    accepted: ``answers[n]`` is the HTTP status of POST ``n``, ``accepted[n]`` its
    execution id."""

    def __init__(self, url, function_id, counter, first):
        self.url, self.function_id, self.counter = url, function_id, counter
        self.numbers = iter(range(first, first + 1_000_000))
        self.answers, self.accepted, self.refusals = {}, {}, {}
        self.changed = threading.Condition()
        self.stop = threading.Event()
        self.errors = []
        self.threads = [threading.Thread(target=self._client) for _ in range(CLIENTS)]

    def _client(self):
        api = ApiClient(self.url, timeout=ROUND_DEADLINE)
        try:
            while not self.stop.is_set():
                with self.changed:
                    n = next(self.numbers)
                response = api.execute(self.function_id, {"n": n, "counter": self.counter.url},
                                       sync=False)
                with self.changed:
                    self.answers[n] = response.status_code
                    if response.status_code == 201:
                        self.accepted[n] = response.json()["id"]
                    else:
                        self.refusals[n] = response.text
                    self.changed.notify_all()
                if response.status_code not in (201, 503):
                    raise AssertionError(f"POST {n}: {response.status_code} {response.text}")
                if response.status_code == 503:   # the broker is down: not a busy loop
                    self.stop.wait(PAUSE_AFTER_REFUSAL)
        except Exception as error:  # noqa: B902 - reported by the test's thread
            self.errors.append(error)
            with self.changed:
                self.changed.notify_all()
        finally:
            api.close()

    def wait_for_accepted(self, count):
        with self.changed:
            done = self.changed.wait_for(
                lambda: len(self.accepted) >= count or self.errors, ROUND_DEADLINE)
        assert not self.errors, self.errors
        assert done, f"only {len(self.accepted)} of {count} executions accepted"

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(ROUND_DEADLINE)
        assert not self.errors, self.errors


def restart_during_posts(platform, node, round_):
    """Start the clients, restart the broker after ``RESTART_AFTER`` accepted executions;
    once it is back, wait until the platform is healthy, then until ``COUNT`` executions
    were accepted. Seconds from the broker's return to a healthy platform."""
    for thread in round_.threads:
        thread.start()
    restart = None
    try:
        round_.wait_for_accepted(RESTART_AFTER)
        restart = node.restart()
        assert restart.wait(ROUND_DEADLINE) == 0, restart.stderr.read()
        back_at = time.monotonic()
        platform.wait_healthy(ROUND_DEADLINE)   # raises at once if a service process died
        serving_after = time.monotonic() - back_at
        round_.wait_for_accepted(COUNT)
    finally:
        if restart is not None and restart.poll() is None:
            restart.wait(ROUND_DEADLINE)
        round_.finish()
    return serving_after


def check(round_, rows, counter):
    """The round's figures; fails on an accepted execution lost, failed or run twice, or on
    anything run twice."""
    figures = collections.Counter(posted=len(round_.answers))
    for n, answer in round_.answers.items():
        made, runs = rows.get(n, []), counter.runs[n]
        figures[str(answer)] += 1
        assert runs <= 1 and len(made) <= 1, f"POST {n} ({answer}) ran {runs} times: {made}"
        if answer == 201:
            assert [e["id"] for e in made] == [round_.accepted[n]], (n, made)
            assert made[0]["status"] == "success" and runs == 1, (made[0], runs)
            figures["ran once"] += 1
        elif runs or made:   # refused, yet it ran (its reply was lost with the broker)
            figures["503 but ran"] += 1
            print(f"POST {n} answered {answer} {round_.refusals[n]} but ran {runs} times: "
                  f"{made}")
    return figures


def test_every_accepted_execution_runs_once_across_broker_restarts(
        platform, node, counter, function_id):
    api = ApiClient(platform.url)
    try:
        for number in range(ROUNDS):
            round_ = Round(platform.url, function_id, counter, first=number * 1_000_000)
            serving_after = restart_during_posts(platform, node, round_)
            rows = settled(platform, api, function_id, round_.accepted, ROUND_DEADLINE)
            figures = check(round_, rows, counter)
            print(f"\nround {number}: serving again {serving_after:.1f} s after the broker's "
                  f"return; {dict(figures)}")
            assert serving_after <= SERVES_AGAIN, f"round {number}: {serving_after:.1f} s"
            assert all(proc.poll() is None for proc in platform.procs.values())
    finally:
        api.close()


def test_notifications_run_their_triggers_again_after_a_broker_restart(
        platform, node, counter, function_id):
    api = ApiClient(platform.url)
    try:
        runtime_id = api.get(f"/v1/functions/{function_id}").json()["runtime_id"]
        function = api.create_function(runtime_id, name="evented",
                                       package=zip_package({"main.py": EVENT_SOURCE}))
        assert function.status_code == 201, function.text
        event_function = function.json()
        trigger = api.post("/v1/event_triggers", json={
            "function_id": event_function["id"], "event_type": "compute.instance.create.end",
            "exchanges": ["nova"]})
        assert trigger.status_code == 201, trigger.text
        numbers = iter(range(2_000_000_000, 2_100_000_000))

        def publish_until_one_runs():
            """Publish a numbered notification every ``PUBLISH_INTERVAL`` until one runs;
            the numbers published."""
            published, give_up = [], time.monotonic() + LISTENS_AGAIN
            while not any(counter.runs[n] for n in published):
                assert time.monotonic() < give_up, "no notification ran"
                published.append(next(numbers))
                notifier.publish(platform.rabbit.transport_url, "nova",
                                 "compute.instance.create.end",
                                 {"n": published[-1], "counter": counter.url},
                                 {"project_id": event_function["project_id"]})
                time.sleep(PUBLISH_INTERVAL)
            return published

        publish_until_one_runs()
        restart = node.restart()
        assert restart.wait(ROUND_DEADLINE) == 0, restart.stderr.read()
        back_at = time.monotonic()
        published = publish_until_one_runs()
        print(f"\nnotifications run again {time.monotonic() - back_at:.1f} s after the "
              f"broker's return ({len(published)} published)")
        platform.wait_healthy(ROUND_DEADLINE)
        assert all(counter.runs[n] <= 1 for n in published), dict(counter.runs)
    finally:
        api.close()
