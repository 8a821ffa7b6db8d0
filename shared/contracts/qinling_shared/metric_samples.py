"""The wire shape of a process's metrics: what every Nameko service's ``metrics`` RPC method
returns and the gateway merges into ``GET /metrics``.

A list of families, JSON-ready: ``{"name", "type", "help", "unit", "samples": [[sample name,
{label: value}, number], ...]}``, as prometheus-client's registries collect them. Plain data
rather than the text format, so that a scrape costs the gateway a JSON decode, not a parse of
the text per service.
"""
from prometheus_client.metrics_core import Metric
from prometheus_client.samples import Sample


def to_wire(families):
    """The wire shape of prometheus-client metric families (e.g. ``registry.collect()``)."""
    return [{"name": family.name, "type": family.type, "help": family.documentation,
             "unit": family.unit,
             "samples": [[sample.name, sample.labels, sample.value] for sample in family.samples]}
            for family in families]


def from_wire(data):
    """prometheus-client metric families from the wire shape; ``ValueError`` (or ``TypeError``,
    ``KeyError``) when ``data`` is not of that shape."""
    families = []
    for item in data:
        family = Metric(item["name"], item["help"], item["type"], item.get("unit") or "")
        family.samples = [Sample(str(name), {str(k): str(v) for k, v in labels.items()},
                                 float(value))
                          for name, labels, value in item["samples"]]
        families.append(family)
    return families
