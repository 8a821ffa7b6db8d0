"""Removing the containers of image functions that no run will collect (a step of the
sweeper): a run removes its container once it has its outcome, but a service killed during
a synchronous run leaves it (the sweeper ends that execution as an error), and so may a
cancel whose replica was gone. The container of an execution that has ended (any status but
``running``) and that no run of this replica has now is killed and removed. Containers of a
running execution are left for its run, or for the redelivery that attaches to them;
those of executions this service does not know (another deployment's, on the same engine)
are left alone."""
import logging

import sqlalchemy as sa

from qinling_shared.status import ExecutionStatus

from qinling_execution.models import Execution

LOG = logging.getLogger(__name__)


def reap(session, orchestrator, active_runs):
    """Remove the containers of ended executions; the ids whose container was removed."""
    there = [i for i in orchestrator.image_executions() if i not in active_runs]
    if not there:
        return []
    ended = list(session.scalars(sa.select(Execution.id).where(
        Execution.id.in_(there), Execution.status != ExecutionStatus.RUNNING.value)))
    for execution_id in ended:
        LOG.warning("removing the container of execution %s: it has ended", execution_id)
        orchestrator.remove_image(execution_id)
    return ended
