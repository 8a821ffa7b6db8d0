"""Image functions on Kubernetes: each execution is the pod ``qinling-<execution id>``
(``manifests.image_pod``: the function's image, its arguments the execution's input, the
run's cpu and memory as the container's requests and limits, ``restartPolicy: Never``).

The pod is watched until its container ended, and killed (deleted) at the run's timeout,
counted from the container's own start (so a run attached to late keeps it). Its logs are
read before it is deleted, which happens once its outcome is collected, whatever happened
(unless the service is stopping: the pod is left for a redelivery, which attaches to it).
A pod whose image cannot be pulled is a ``failed`` outcome saying so, at once.
"""
import logging
import time

from qinling_execution import image_outcomes
from qinling_execution.orchestrators.base import container_name
from qinling_execution.orchestrators.kubernetes import awaiting, manifests, pod_states
from qinling_execution.orchestrators.kubernetes.kube_api import AlreadyExists

LOG = logging.getLogger(__name__)
LOG_LIMIT = 2 * 1024 * 1024   # bytes of logs read (the recorded logs are cut to 1 MiB)
KILLED = 137                  # the exit status of a container killed by SIGKILL


class ImagePods:
    def __init__(self, api, start_timeout):
        self.api = api
        self.start_timeout = start_timeout

    def run(self, run):
        """The outcome of ``run`` (``base.ImageRun``) once its pod ended."""
        try:
            self.api.create_pod(manifests.image_pod(run))
        except AlreadyExists:
            LOG.info("execution %s: its pod is already there: attaching to it",
                     run.execution_id)
        try:
            outcome = self._outcome(run)
        except Exception:
            self.remove(run.execution_id)
            raise
        self.remove(run.execution_id)
        return outcome

    def cancel(self, execution_id):
        """Kill the pod of ``execution_id``; ``True`` when it was running."""
        pod = self.api.read_pod(container_name(execution_id))
        if pod is None or pod_states.terminated(pod) or pod_states.terminating(pod):
            return False
        self.api.delete_pod(container_name(execution_id), 0)
        return True

    def executions(self):
        pods, _ = self.api.list_pods(manifests.EXECUTION_SELECTOR)
        return [pod["metadata"]["labels"][manifests.EXECUTION] for pod in pods]

    def remove(self, execution_id):
        self.api.delete_pod(container_name(execution_id), 0)

    def _outcome(self, run):
        selector = f"{manifests.EXECUTION}={run.execution_id}"
        kind, pod = awaiting.pods(self.api, selector, _started, self.start_timeout)
        if kind == "not pulled":
            return image_outcomes.not_pulled(run.image, pod)
        if kind == "not started":
            return image_outcomes.not_started(run.image, pod)
        started = (pod and pod_states.started_at(pod)) or time.time()
        if kind == "running":
            left = started + run.timeout - time.time()
            try:
                kind, pod = awaiting.pods(self.api, selector, _ended, left)
            except awaiting.TimedOut:
                logs = self.api.pod_logs(container_name(run.execution_id), LOG_LIMIT)
                return image_outcomes.ended(KILLED, False, True, run.timeout, logs,
                                            run.timeout)
        if kind == "deleted":  # killed: cancelled, or removed by another delivery
            return image_outcomes.ended(KILLED, False, False, time.time() - started, "",
                                        run.timeout)
        ended = pod_states.terminated(pod)
        finished = pod_states.timestamp(ended["finishedAt"]) if ended.get("finishedAt") \
            else time.time()
        logs = self.api.pod_logs(container_name(run.execution_id), LOG_LIMIT)
        return image_outcomes.ended(ended.get("exitCode"), ended.get("reason") == "OOMKilled",
                                    False, max(0.0, finished - started), logs, run.timeout)


def _started(kind, pod):
    """``decide`` of ``awaiting.pods``: ``(state, pod or reason)`` once the container
    runs, ended or cannot start, or the pod is gone."""
    if kind in ("DELETED", "ABSENT"):
        return "deleted", pod
    if pod is None:
        return None
    if (failure := pod_states.image_failure(pod)) is not None:
        return "not pulled", failure
    if (failure := pod_states.start_failure(pod)) is not None and \
            pod_states.terminated(pod) is None:
        return "not started", failure
    if pod_states.terminated(pod) is not None:
        return "ended", pod
    if pod_states.started_at(pod) is not None:
        return "running", pod
    return None


def _ended(kind, pod):
    if kind in ("DELETED", "ABSENT"):
        return "deleted", pod
    if pod is None:
        return None
    return ("ended", pod) if pod_states.terminated(pod) is not None else None
