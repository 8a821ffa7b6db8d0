"""The statuses of a job and the moves a user may make between them."""
import pytest

from qinling_shared.exceptions import InvalidInput

from qinling_trigger import job_status


def raises(message, call, *args):
    with pytest.raises(InvalidInput) as err:
        call(*args)
    assert str(err.value) == message


FINISHED = "Can not update a finished job."


@pytest.mark.parametrize("current,new,message", [
    ("running", "paused", None), ("running", "cancelled", None), ("running", "running", None),
    ("paused", "running", None), ("paused", "cancelled", None), ("paused", "paused", None),
    ("running", "done", "Invalid status."), ("paused", "done", "Invalid status."),
    ("paused", "Running", "Invalid status."),
    ("done", "running", FINISHED), ("cancelled", "running", FINISHED),
    ("cancelled", "paused", FINISHED), ("done", "done", FINISHED),
])
def test_status_transitions(current, new, message):
    if message is None:
        assert job_status.check_transition(current, new) is None
    else:
        raises(message, job_status.check_transition, current, new)


def test_status_names_are_qinlings():
    assert [s.value for s in job_status.JobStatus] == ["running", "paused", "done", "cancelled"]
