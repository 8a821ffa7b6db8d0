"""The statuses of a job and the moves between them, with Qinling's names and 400 messages.

A job is ``running`` or ``paused`` until it is ``done`` (the scheduler's: its ticks are over)
or ``cancelled`` (the user's); a finished job can not be updated. A user may pause, resume or
cancel a job with ``PUT /v1/jobs/{id}``, never set ``done``.
"""
import enum

from qinling_shared.exceptions import InvalidInput


class JobStatus(str, enum.Enum):
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


RUNNING, PAUSED, DONE, CANCELLED = (JobStatus.RUNNING.value, JobStatus.PAUSED.value,
                                    JobStatus.DONE.value, JobStatus.CANCELLED.value)
FINISHED = (DONE, CANCELLED)
# what a user may set with PUT; ``done`` is the scheduler's
USER_STATUSES = (RUNNING, PAUSED, CANCELLED)
# status -> the statuses it may move to (the scheduler moves running -> done)
TRANSITIONS = {
    RUNNING: (RUNNING, PAUSED, CANCELLED, DONE),
    PAUSED: (PAUSED, RUNNING, CANCELLED),
    DONE: (),
    CANCELLED: (),
}

FINISHED_JOB = "Can not update a finished job."
BAD_STATUS = "Invalid status."


def check_transition(current, new):
    """``InvalidInput`` unless a user may move a job from status ``current`` to ``new``."""
    if current in FINISHED:
        raise InvalidInput(FINISHED_JOB)
    if new not in USER_STATUSES or new not in TRANSITIONS.get(current, ()):
        raise InvalidInput(BAD_STATUS)
