"""``GET /metrics`` on a live platform: one valid Prometheus exposition merged over the gateway
and the four services, parsed with prometheus-client's own parser, whose counters move as
synchronous and asynchronous executions run."""
import signal
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from qinling_testing.api_client import ApiClient
from qinling_testing.packages import zip_package
from qinling_testing.platform import healthy_platform

SERVICES = ("function", "execution", "trigger", "storage")
RUN_QUEUE = "qinling-executions-run"
EXECUTIONS_ROUTE = {"route": "/v1/executions", "method": "POST", "service": "api"}
ASYNC_COUNT = 30
SLEEPY_SOURCE = '''\
import time


def main(**kwargs):
    time.sleep(2)
    return "slept"
'''
DEADLINE = 120.0


class Scrape:
    """One ``GET /metrics``, parsed; family names are checked to appear once."""

    def __init__(self, api):
        response = api.get("/metrics")
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        families = list(text_string_to_metric_families(response.text))
        names = [family.name for family in families]
        assert len(names) == len(set(names)), "a metric family appears twice"
        self.families = {family.name: family for family in families}
        self.text = response.text

    def value(self, sample_name, **labels):
        """The sample's value; 0 when it has none yet (a counter not moved yet)."""
        family = sample_name.removesuffix("_total").removesuffix("_bucket")
        for sample in self.families.get(family, _Empty).samples:
            if sample.name == sample_name and sample.labels == labels:
                return sample.value
        return 0


class _Empty:
    samples = ()


def http_requests(scrape, status):
    return scrape.value("qinling_http_requests_total", **EXECUTIONS_ROUTE, status=status)


def ended(scrape, status):
    return scrape.value("qinling_executions_total", status=status, service="execution")


def test_every_service_is_up_and_every_queue_has_its_consumer(api, platform):
    scrape = Scrape(api)
    assert scrape.value("qinling_broker_connected") == 1
    for service in SERVICES:
        assert scrape.value("qinling_service_up", service=service) == 1, service
        assert scrape.value("qinling_queue_consumers", queue=f"rpc-{service}") >= 1, service
        assert scrape.value("process_resident_memory_bytes", service=service) > 0, service
    assert scrape.value("qinling_queue_consumers", queue=RUN_QUEUE) >= 1
    assert scrape.text.count("# TYPE qinling_service_calls_total counter") == 1


def test_a_sync_execution_moves_requests_executions_cold_starts_and_workers(
        api, runtime_id, hello_function_id):
    before = Scrape(api)
    first = api.execute(hello_function_id)
    assert first.status_code == 201 and first.json()["status"] == "success", first.text
    after = Scrape(api)
    assert http_requests(after, "201") - http_requests(before, "201") >= 1
    assert ended(after, "success") - ended(before, "success") >= 1
    cold = {"runtime_id": runtime_id, "service": "execution"}
    assert after.value("qinling_cold_starts_total", **cold) - before.value(
        "qinling_cold_starts_total", **cold) >= 1  # a fresh function: no worker yet
    assert after.value("qinling_workers", runtime_id=runtime_id, state="bound",
                       service="execution") >= 1
    latency = {"route": "/v1/executions", "method": "POST", "service": "api", "le": "+Inf"}
    assert after.value("qinling_http_request_duration_seconds_bucket", **latency) > \
        before.value("qinling_http_request_duration_seconds_bucket", **latency)
    calls = {"entrypoint": "create_execution", "outcome": "ok", "service": "execution"}
    assert after.value("qinling_service_calls_total", **calls) > before.value(
        "qinling_service_calls_total", **calls)


@pytest.fixture
def sleepy_function_id(api, runtime_id):
    response = api.create_function(runtime_id, name="sleepy",
                                   package=zip_package({"main.py": SLEEPY_SOURCE}))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_async_executions_wait_in_the_queue_then_are_delivered_and_counted(
        api, sleepy_function_id):
    before = Scrape(api)
    ids = []
    for _ in range(ASYNC_COUNT):
        response = api.execute(sleepy_function_id, sync=False)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    deepest = wait_until_ended(api, sleepy_function_id, ASYNC_COUNT)
    after = Scrape(api)
    assert deepest > 0, "the execution queue never held a message"
    assert after.value("qinling_queue_messages", queue=RUN_QUEUE) == 0
    assert http_requests(after, "201") - http_requests(before, "201") >= ASYNC_COUNT
    assert ended(after, "success") - ended(before, "success") >= ASYNC_COUNT
    delivered = {"redelivered": "false", "service": "execution"}
    assert after.value("qinling_execution_queue_deliveries_total", **delivered) - \
        before.value("qinling_execution_queue_deliveries_total", **delivered) >= ASYNC_COUNT


def wait_until_ended(api, function_id, count):
    """Scrape until the function's ``count`` executions have ended; the most messages seen
    waiting in the execution queue meanwhile (the consumers take at most their prefetch)."""
    deadline, deepest = time.monotonic() + DEADLINE, 0
    while True:
        deepest = max(deepest, Scrape(api).value("qinling_queue_messages", queue=RUN_QUEUE))
        rows = api.get("/v1/executions", params={"function_id": function_id}).json()
        statuses = [row["status"] for row in rows["executions"]]
        if len(statuses) == count and "running" not in statuses:
            assert set(statuses) == {"success"}, statuses
            return deepest
        assert time.monotonic() < deadline, f"{statuses.count('running')} still running"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def fragile_api():
    """A private platform, for killing one of its services."""
    with healthy_platform() as platform, ApiClient(platform.url) as client:
        yield platform, client


def test_a_dead_service_is_reported_down_and_the_rest_still_scraped(fragile_api):
    platform, api = fragile_api
    platform.kill("trigger", signal.SIGKILL)
    deadline = time.monotonic() + 30.0
    while (scrape := Scrape(api)).value("qinling_service_up", service="trigger") != 0:
        assert time.monotonic() < deadline, "trigger never reported down"
        time.sleep(0.1)
    assert scrape.value("qinling_queue_consumers", queue="rpc-trigger") == 0
    assert scrape.value("process_resident_memory_bytes", service="trigger") == 0  # none
    for service in ("function", "execution", "storage"):
        assert scrape.value("qinling_service_up", service=service) == 1, service
        assert scrape.value("process_resident_memory_bytes", service=service) > 0, service
    platform.start("trigger")
    platform.wait_healthy(60)
    assert Scrape(api).value("qinling_service_up", service="trigger") == 1
