"""Reading pods as the API reports them."""
import pytest

from qinling_execution.orchestrators.kubernetes import pod_states


def pod(phase="Running", ready=True, ip="10.244.0.7", waiting=None, running=None,
        terminated=None, deleting=False):
    state = {}
    if waiting:
        state["waiting"] = {"reason": waiting, "message": f"{waiting} happened"}
    if running:
        state["running"] = {"startedAt": running}
    if terminated:
        state["terminated"] = terminated
    metadata = {"name": "p", "deletionTimestamp": "2026-12-07T10:00:00Z"} if deleting else {
        "name": "p"}
    return {"metadata": metadata,
            "spec": {"containers": [{"image": "img:1", "resources": {"limits": {}}}]},
            "status": {"phase": phase, "podIP": ip,
                       "conditions": [{"type": "Ready", "status": str(ready)}],
                       "containerStatuses": [{"state": state}]}}


def test_ready_needs_the_condition_an_ip_and_no_deletion():
    assert pod_states.ready(pod())
    assert not pod_states.ready(pod(ready=False))
    assert not pod_states.ready(pod(ip=None))
    assert not pod_states.ready(pod(deleting=True))
    assert not pod_states.ready({"metadata": {}, "status": {}})


@pytest.mark.parametrize("reason", pod_states.IMAGE_FAILURES)
def test_an_image_that_cannot_be_pulled_is_a_failure_at_once(reason):
    assert pod_states.image_failure(pod(waiting=reason)) == f"{reason}: {reason} happened"
    assert pod_states.start_failure(pod(waiting=reason)) is None


def test_a_crashing_container_or_an_ended_pod_failed_to_start():
    assert pod_states.start_failure(pod(waiting="CrashLoopBackOff")).startswith(
        "CrashLoopBackOff")
    assert pod_states.start_failure(pod(phase="Failed")) == "the pod ended (Failed)"
    assert pod_states.start_failure(pod(waiting="ContainerCreating")) is None
    assert pod_states.image_failure(pod(waiting="ContainerCreating")) is None


def test_terminated_and_started_at():
    ended = {"exitCode": 3, "reason": "Error", "startedAt": "2026-12-07T10:00:00Z",
             "finishedAt": "2026-12-07T10:00:02.5Z"}
    assert pod_states.terminated(pod(terminated=ended)) == ended
    assert pod_states.terminated(pod(running="2026-12-07T10:00:00Z")) is None
    assert pod_states.started_at(pod(terminated=ended)) == pod_states.timestamp(
        "2026-12-07T10:00:00Z")
    assert pod_states.timestamp(ended["finishedAt"]) - pod_states.timestamp(
        ended["startedAt"]) == 2.5
    assert pod_states.started_at(pod(waiting="ContainerCreating")) is None
