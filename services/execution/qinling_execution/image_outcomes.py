"""Pure rules: how an image function's container ended, as the outcome of its run (the
worker's shape, ``{output, success, duration, logs}``, which ``outcomes`` records).

- exit status 0 → ``success``, ``{"duration": <seconds>}`` (no output, as Qinling);
- killed at its timeout → ``failed``, ``Function execution timeout.``, the duration being
  the timeout (as Qinling);
- killed for memory (OOM) → ``failed``, Qinling's resource-consumption text;
- any other exit status → ``failed``, a text naming the status (Qinling reported a crashed
  container as a timeout after waiting the whole timeout: bug §6.11);
- an image the engine neither has nor can pull, a container that cannot start → ``failed``,
  saying so.
"""
TIMEOUT_MESSAGE = "Function execution timeout."
RESOURCE_MESSAGE = "Function execution failed because of too much resource consumption"


def ended(exit_code, oom_killed, timed_out, duration, logs, timeout):
    """The outcome of a container that ran: ``exit_code`` and ``oom_killed`` as the engine
    reports them, ``timed_out`` when it was killed at ``timeout`` (seconds), ``duration``
    from its start to its end (seconds), ``logs`` its stdout and stderr."""
    if timed_out:
        return _failed(TIMEOUT_MESSAGE, timeout, logs)
    if oom_killed:
        return _failed(RESOURCE_MESSAGE, duration, logs)
    if exit_code == 0:
        return {"success": True, "output": None, "duration": round(duration, 3),
                "logs": logs}
    return _failed(f"Function execution failed: its container exited with status "
                   f"{exit_code}.", duration, logs)


def not_pulled(image, reason):
    """The outcome of a run whose image is not on the engine and could not be pulled."""
    message = f"Image {image} is not on the container engine and could not be pulled: {reason}"
    return _failed(message, 0, message + "\n")


def not_started(image, reason):
    """The outcome of a run whose container could not be made or started."""
    message = f"The container of image {image} could not start: {reason}"
    return _failed(f"Function execution failed: {message}", 0, message + "\n")


def _failed(output, duration, logs):
    return {"success": False, "output": output, "duration": round(duration, 3),
            "logs": logs}
