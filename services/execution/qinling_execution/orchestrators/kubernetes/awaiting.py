"""Waiting on pods by watching them (list, then watch from the list's
resourceVersion, listing again when the API says that version expired), never by polling."""
import time

from qinling_execution.orchestrators.kubernetes.kube_api import Expired


class TimedOut(Exception):
    """Nothing decided before the deadline."""


def pods(api, selector, decide, timeout):
    """The first answer of ``decide(event type, pod)`` that is not ``None``, over the pods
    matching ``selector`` as they are now (as ``ADDED``; ``("ABSENT", None)`` when there is
    none) and as they change."""
    deadline = time.monotonic() + timeout
    while True:
        found, version = api.list_pods(selector)
        for pod in found:
            if (answer := decide("ADDED", pod)) is not None:
                return answer
        if not found and (answer := decide("ABSENT", None)) is not None:
            return answer
        try:
            return _watch(lambda since, left: api.watch_pods(selector, since, left), version,
                          decide, deadline)
        except Expired:
            continue


def _watch(events, version, decide, deadline):
    """Watch from ``version`` on, again from the last version seen when a watch ends."""
    while (left := deadline - time.monotonic()) > 0:
        for kind, item in events(version, left):
            version = item["metadata"]["resourceVersion"]
            if (answer := decide(kind, item)) is not None:
                return answer
            if time.monotonic() >= deadline:
                break
    raise TimedOut()
