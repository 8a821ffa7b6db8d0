"""Rounds of numbered asynchronous POSTs while a service is killed, and the checks of what
they made, for the fault tests (tests/faults, tests/compose).

A :class:`Round` is ``CLIENTS`` threads POSTing executions of a counted function
(``qinling_testing.run_counter``), each with its number as ``n``. ``kill_during_posts`` kills
a service after ``KILL_AFTER`` answers, through the platform's ``kill(service, signal)``,
``start(service)`` (start it again, or wait until its supervisor did) and
``wait_healthy(timeout)``. Once the platform has settled (``fault_checks.settled``),
``check`` fails on an accepted POST lost or run twice, or a refused one that ran.
"""
import collections
import signal
import threading
import time

import requests
from urllib3.exceptions import NewConnectionError

from qinling_shared import queues
from qinling_testing.api_client import ApiClient
from qinling_testing.platform import START_TIMEOUT

POSTS = 100            # POSTs per round, at least
KILL_AFTER = 20        # answers before the kill
AFTER_RESTART = 10     # executions accepted after the restart, at least
CLIENTS = 4
WHILE_DOWN = 10       # POSTs while the killed service is down
ROUND_DEADLINE = 120.0
REFUSED, UNKNOWN = "refused", "no answer"
EXPECTED_WHILE_DOWN = {"execution": 503, "api": REFUSED}


class Round:
    """The POSTs of one round by ``CLIENTS`` threads: ``answers[n]`` is the HTTP status of
    POST ``n``, or :data:`REFUSED`, or :data:`UNKNOWN`; ``accepted[n]`` its execution id."""

    def __init__(self, url, function_id, counter, first):
        self.url, self.function_id, self.counter = url, function_id, counter
        self.numbers = iter(range(first, first + 1_000_000))
        self.answers, self.accepted = {}, {}
        self.lock, self.changed = threading.Lock(), threading.Condition()
        self.serving = threading.Event()   # cleared while the killed service is down
        self.serving.set()
        self.stop = threading.Event()
        self.accepted_after_restart = 0
        self.threads = [threading.Thread(target=self._client) for _ in range(CLIENTS)]

    def _client(self):
        api = ApiClient(self.url, timeout=ROUND_DEADLINE)
        try:
            while not self.stop.is_set():
                with self.lock:
                    n = next(self.numbers)
                answer, execution_id = self.post(api, n)
                self.record(n, answer, execution_id)
                if answer != 201:   # wait for the service to be back, not a busy loop
                    self.serving.wait(ROUND_DEADLINE)
        finally:
            api.close()

    def post(self, api, n):
        try:
            response = api.execute(self.function_id, {"n": n, "counter": self.counter.url},
                                   sync=False)
        except requests.ConnectionError as error:
            refused = isinstance(getattr(error.args[0], "reason", None), NewConnectionError)
            return (REFUSED if refused else UNKNOWN), None
        if response.status_code == 201:
            return 201, response.json()["id"]
        assert response.status_code == 503, response.text
        return 503, None

    def record(self, n, answer, execution_id):
        with self.changed:
            self.answers[n] = answer
            if execution_id is not None:
                self.accepted[n] = execution_id
                self.accepted_after_restart += self.serving.is_set()
            self.changed.notify_all()

    def wait_for(self, predicate):
        with self.changed:
            assert self.changed.wait_for(predicate, ROUND_DEADLINE), "the clients stalled"


def kill_during_posts(platform, service, round_, while_down=True):
    """Start the clients, SIGKILL ``service`` after ``KILL_AFTER`` answers, start it again
    and wait until it serves, then let the clients go on until the round is complete.
    ``while_down``: POST while it is down too (``post_while_down``; not when another replica
    serves meanwhile). The time it was down, in seconds."""
    for thread in round_.threads:
        thread.start()
    try:
        round_.wait_for(lambda: len(round_.answers) >= KILL_AFTER)
        round_.serving.clear()
        round_.accepted_after_restart = 0
        platform.kill(service, signal.SIGKILL)
        killed_at = time.monotonic()
        try:
            if while_down:
                post_while_down(platform, service, round_)
        finally:
            platform.start(service)  # the next rounds need it, whatever happened here
        platform.wait_healthy(START_TIMEOUT)
        down = time.monotonic() - killed_at
        round_.serving.set()
        round_.wait_for(lambda: len(round_.answers) >= POSTS
                        and round_.accepted_after_restart >= AFTER_RESTART)
    finally:
        round_.stop.set()
        round_.serving.set()
        for thread in round_.threads:
            thread.join(ROUND_DEADLINE)
    return down


def post_while_down(platform, service, round_):
    """Once the gateway knows the service is down (``/healthz`` says its RPC queue has no
    consumer: what the gateway checks before it publishes; a request published a moment
    earlier waits for the service's return, by design), ``WHILE_DOWN`` POSTs. With the
    execution service down each is refused at once (503), with the gateway down refused at
    connect; the other services take no part in accepting an execution."""
    if service != "api":
        gone = f"no consumer on queue {queues.rpc_queue(service)}"
        wait_for_health(platform.url, lambda checks: gone in checks[service].get("error", ""))
    api = ApiClient(platform.url, timeout=10)
    try:
        for _ in range(WHILE_DOWN):
            with round_.lock:
                n = next(round_.numbers)
            answer, execution_id = round_.post(api, n)
            expected = EXPECTED_WHILE_DOWN.get(service)
            assert expected in (None, answer), f"POST {n} while {service} was down: {answer}"
            round_.record(n, answer, execution_id)
    finally:
        api.close()


def wait_for_health(url, until):
    give_up = time.monotonic() + ROUND_DEADLINE
    while not until(requests.get(f"{url}/healthz", timeout=30).json()["checks"]):
        assert time.monotonic() < give_up, "/healthz never saw the service down"
        time.sleep(0.1)


def check(round_, rows, counter, service):
    """The round's figures; fails on an accepted POST lost or run twice, or a refused one
    that ran. Only while storage is down may an accepted execution fail (a new worker could
    not download the package): it ended, and its function did not run."""
    figures = collections.Counter(posted=len(round_.answers))
    for n, answer in round_.answers.items():
        made, runs = rows.get(n, []), counter.runs[n]
        figures[str(answer)] += 1
        figures["runs"] += runs
        if answer == 201:
            assert [e["id"] for e in made] == [round_.accepted[n]], (n, made)
            figures.update(accepted_outcome(made[0], runs, service))
        elif answer == UNKNOWN:
            assert len(made) <= 1 and runs <= 1, (n, made, runs)
        else:
            assert (made, runs) == ([], 0), f"POST {n} answered {answer} but ran: {made}"
    assert figures["201"] and figures["lost"] == figures["duplicated"] == 0, dict(figures)
    return figures


def accepted_outcome(execution, runs, service):
    """``{"lost"|"duplicated"|"failed": 1}`` or nothing, for an accepted execution."""
    if runs > 1:
        print(f"execution {execution['id']} ran {runs} times")
        return {"duplicated": 1}
    if execution["status"] == "success":
        return {} if runs == 1 else {"lost": 1}
    assert service == "storage" and runs == 0, (execution, runs)
    print(f"execution {execution['id']} {execution['status']}: {execution['result']}")
    return {"failed": 1}
