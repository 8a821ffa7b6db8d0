import json

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from qinling_shared.metric_samples import from_wire, to_wire


class Families:
    def __init__(self, families):
        self.families = families

    def collect(self):
        return self.families


def test_families_survive_the_wire_as_json_and_render_as_before():
    registry = CollectorRegistry()
    Counter("qinling_x", "X things.", ["kind"], registry=registry).labels("a").inc(2)
    Histogram("qinling_y_seconds", "Y time.", buckets=(0.1, 1), registry=registry).observe(0.5)
    wire = json.loads(json.dumps(to_wire(registry.collect())))
    assert generate_latest(Families(from_wire(wire))) == generate_latest(registry)


@pytest.mark.parametrize("data", [
    [{"name": "qinling_x", "type": "no such type", "help": "", "samples": []}],
    [{"name": "qinling_x", "type": "gauge", "help": "", "samples": [["qinling_x", {}, "NaN?"]]}],
])
def test_data_of_another_shape_is_refused(data):
    with pytest.raises(ValueError):
        from_wire(data)
