"""Pure readings of a pod (the API's JSON).

Kubernetes retries a pull or a crashing container for ever; the orchestrator does not wait
for that: the first such state is the answer.
"""
import datetime

IMAGE_FAILURES = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")
START_FAILURES = ("CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError",
                  "RunContainerError")


def terminating(pod):
    return bool(pod["metadata"].get("deletionTimestamp"))


def ready(pod):
    """Whether the pod serves: not being deleted, an IP, and its Ready condition true."""
    status = pod.get("status") or {}
    return (not terminating(pod) and bool(status.get("podIP"))
            and any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in status.get("conditions") or ()))


def image_failure(pod):
    """The kubelet's message when the pod's image cannot be pulled, else ``None``."""
    return _waiting(pod, IMAGE_FAILURES)


def start_failure(pod):
    """Why the pod's container cannot start or keeps crashing, else ``None``."""
    reason = _waiting(pod, START_FAILURES)
    if reason is None and (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded"):
        return f"the pod ended ({pod['status']['phase']})"
    return reason


def terminated(pod):
    """The container's ``state.terminated`` (``exitCode``, ``reason``, ``startedAt``,
    ``finishedAt``) once it ended, else ``None``."""
    for status in (pod.get("status") or {}).get("containerStatuses") or ():
        if (status.get("state") or {}).get("terminated"):
            return status["state"]["terminated"]
    return None


def started_at(pod):
    """When the container started running (epoch seconds), else ``None``."""
    for status in (pod.get("status") or {}).get("containerStatuses") or ():
        state = status.get("state") or {}
        moment = (state.get("running") or state.get("terminated") or {}).get("startedAt")
        if moment:
            return timestamp(moment)
    return None


def timestamp(text):
    """Epoch seconds of an RFC 3339 time as the API writes it (``...Z``, maybe fractional)."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def resources(pod):
    """The first container's ``resources``."""
    return pod["spec"]["containers"][0].get("resources") or {}


def image(pod):
    return pod["spec"]["containers"][0]["image"]


def _waiting(pod, reasons):
    for status in (pod.get("status") or {}).get("containerStatuses") or ():
        waiting = (status.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in reasons:
            return f"{waiting['reason']}: {waiting.get('message') or 'no message'}"
    return None
