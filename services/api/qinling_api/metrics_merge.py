"""Merging metric families of several processes into one valid exposition (pure).

Every sample of a process gets the label ``service="<name>"``, so that the same family (e.g.
``process_resident_memory_bytes``) from several services becomes one family with one sample
per service: each family name appears once, with one ``# HELP`` and one ``# TYPE``. The first
source of a family owns its help and type; a later family of the same name and another type
is left out (and named), and so is a sample already seen with the same name and labels.
"""
from prometheus_client import generate_latest
from prometheus_client.metrics_core import Metric

SERVICE_LABEL = "service"


def labelled(families, service):
    """Copies of ``families`` whose samples carry ``service="<service>"``."""
    copies = []
    for family in families:
        copy = Metric(family.name, family.documentation, family.type, family.unit)
        copy.samples = [sample._replace(labels={**sample.labels, SERVICE_LABEL: service})
                        for sample in family.samples]
        copies.append(copy)
    return copies


def merge(families):
    """``(merged, conflicts)``: one family per name in first-seen order, and the names of
    families left out because their type differs from the first one's."""
    merged, seen, conflicts = {}, set(), []
    for family in families:
        owner = merged.get(family.name)
        if owner is None:
            owner = merged[family.name] = Metric(
                family.name, family.documentation, family.type, family.unit)
        elif owner.type != family.type:
            conflicts.append(family.name)
            continue
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            if key not in seen:
                seen.add(key)
                owner.samples.append(sample)
    return list(merged.values()), conflicts


class _Families:
    """What ``generate_latest`` renders: a fixed list of families."""

    def __init__(self, families):
        self.families = families

    def collect(self):
        return self.families


def render(families):
    """The Prometheus text exposition (format 0.0.4) of ``families``, as bytes."""
    return generate_latest(_Families(families))
