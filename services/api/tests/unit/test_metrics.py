"""GET /metrics: route labels, merging of the services' expositions, the scrape's own gauges."""
import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.parser import text_string_to_metric_families

from qinling_api import metrics_merge
from qinling_api.app import create_app
from qinling_api.http_metrics import method_label
from qinling_api.settings import Settings
from qinling_shared.exceptions import NotFound, Unavailable
from qinling_shared.metric_samples import from_wire, to_wire

SERVICES = ("function", "execution", "trigger", "storage")


def reported(**counters):
    """What a service's ``metrics`` method answers: ``qinling_x_total`` per label value, and a
    process gauge, in the wire shape."""
    registry = CollectorRegistry()
    counter = Counter("qinling_x", "X things.", ["kind"], registry=registry)
    for kind, value in counters.items():
        counter.labels(kind).inc(value)
    Gauge("process_open_fds", "Open fds.", registry=registry).set(7)
    return to_wire(registry.collect())


def families_of(text):
    families = list(text_string_to_metric_families(text))
    names = [family.name for family in families]
    assert len(names) == len(set(names)), names  # each family once
    return {family.name: family for family in families}


def value(family, **labels):
    (found,) = [s.value for s in family.samples if s.labels == labels]
    return found


def test_a_family_of_several_services_is_one_family_with_a_sample_per_service():
    merged, conflicts = metrics_merge.merge(
        metrics_merge.labelled(from_wire(reported(a=1)), "function")
        + metrics_merge.labelled(from_wire(reported(a=2, b=3)), "execution"))
    text = metrics_merge.render(merged).decode()
    assert conflicts == []
    assert text.count("# TYPE qinling_x_total counter") == 1
    assert text.count("# HELP process_open_fds ") == 1
    families = families_of(text)
    assert value(families["qinling_x"], kind="a", service="function") == 1
    assert value(families["qinling_x"], kind="a", service="execution") == 2
    assert value(families["process_open_fds"], service="execution") == 7


def test_a_family_of_another_type_and_a_repeated_sample_are_left_out():
    gauge = list(text_string_to_metric_families("# TYPE qinling_x gauge\nqinling_x 5\n"))
    counter = from_wire(reported(a=1))
    merged, conflicts = metrics_merge.merge(
        metrics_merge.labelled(counter, "function") + metrics_merge.labelled(gauge, "trigger")
        + metrics_merge.labelled(counter, "function"))
    assert conflicts == ["qinling_x"]
    families = families_of(metrics_merge.render(merged).decode())
    assert families["qinling_x"].type == "counter"
    assert [s.labels for s in families["qinling_x"].samples
            if s.name == "qinling_x_total"] == [{"kind": "a", "service": "function"}]


def test_methods_no_route_knows_share_one_label():
    assert method_label("GET") == "GET"
    assert method_label("BREW") == "other"


class ScrapedRpc:
    """The gateway's RPC client as a scrape sees it: ``metrics`` answers and queue counts."""

    def __init__(self, rpc):
        self.rpc, self.queues = rpc, {}

    def __getattr__(self, name):
        return getattr(self.rpc, name)

    async def queue_counts(self, queue):
        if queue not in self.queues:
            raise Unavailable("no such probe")
        return self.queues[queue]


@pytest.fixture
async def client(aiohttp_client, rpc, storage):
    scraped = ScrapedRpc(rpc)
    app = create_app(Settings(), rpc=scraped, storage=storage)
    yield await aiohttp_client(app), scraped


async def scrape(client):
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return families_of(await response.text())


async def test_requests_are_counted_by_route_template_method_and_status(client, rpc):
    http, _ = client
    rpc.answer("function", "get_function", NotFound("Function f1 not found."))
    for path in ("/v1/functions/f1", "/v1/functions/f2", "/no/such/path"):
        await http.get(path)
    await http.request("PROPFIND", "/v1/functions")  # a WebDAV method
    requests = (await scrape(http))["qinling_http_requests"]
    assert value(requests, route="/v1/functions/{id}", method="GET", status="404",
                 service="api") == 2
    assert value(requests, route="unmatched", method="GET", status="404", service="api") == 1
    assert value(requests, route="unmatched", method="other", status="405", service="api") == 1
    families = await scrape(http)
    assert not [name for name in families if name.endswith("_created")]
    latency = families["qinling_http_request_duration_seconds"]
    assert value(latency, route="/v1/functions/{id}", method="GET", service="api",
                 le="+Inf") == 2


async def test_every_service_is_merged_and_one_that_fails_is_down_not_an_error(client, rpc):
    http, scraped = client
    rpc.answer("function", "metrics", reported(a=1))
    rpc.answer("execution", "metrics", reported(a=4))
    rpc.answer("trigger", "metrics", Unavailable("Service 'trigger' is not running."))
    rpc.answer("storage", "metrics", [{"name": "qinling_x", "samples": "not families"}])
    scraped.queues = {"rpc-execution": (0, 2), "qinling-executions-run": (5, 1)}
    families = await scrape(http)
    up = families["qinling_service_up"]
    assert {s.labels["service"]: s.value for s in up.samples} == {
        "function": 1, "execution": 1, "trigger": 0, "storage": 0}
    assert value(families["qinling_x"], kind="a", service="execution") == 4
    assert value(families["qinling_queue_messages"], queue="qinling-executions-run") == 5
    assert value(families["qinling_queue_consumers"], queue="rpc-execution") == 2
    assert [s.labels for s in families["qinling_queue_consumers"].samples] == [
        {"queue": "rpc-execution"}, {"queue": "qinling-executions-run"}]
    assert value(families["qinling_broker_connected"]) == 1
    assert value(families["process_open_fds"], service="function") == 7


async def test_without_a_broker_the_scrape_still_answers_with_the_gateway_s_own_metrics(
        client, rpc):
    http, _ = client
    rpc.connected = False
    for service in SERVICES:
        rpc.answer(service, "metrics", Unavailable("The message broker is unavailable."))
    await scrape(http)
    families = await scrape(http)
    assert value(families["qinling_broker_connected"]) == 0
    assert {s.value for s in families["qinling_service_up"].samples} == {0}
    assert families["qinling_queue_messages"].samples == []
    assert value(families["qinling_http_requests"], route="/metrics", method="GET",
                 status="200", service="api") == 1  # the scrape before this one
