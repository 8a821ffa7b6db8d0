"""Stopping a cancelled execution's run: ``cancel_execution`` (``executions``) records the
execution cancelled and broadcasts ``execution_cancelled``; every replica hears it, and the one
whose active runs hold the execution asks its worker to stop the run, or has the orchestrator
kill its container (an image function's). A cancel heard before the run reached a worker is
remembered, and the run is not started (``ActiveRuns``)."""
import logging

from qinling_execution.active_runs import ON_CONTAINER_ENGINE

LOG = logging.getLogger(__name__)
EXECUTION_CANCELLED = "execution_cancelled"  # dispatched by the execution service itself


def stop_run(execution_id, active_runs, worker_client, orchestrator):
    """Stop the run of ``execution_id`` if this replica has one on a worker or a container."""
    url = active_runs.cancel(execution_id)
    if url == ON_CONTAINER_ENGINE:
        stopped = orchestrator.cancel_image(execution_id)
        LOG.info("cancelled execution %s: its container killed: %s", execution_id, stopped)
    elif url is not None:
        stopped = worker_client.cancel(url, execution_id)
        LOG.info("cancelled execution %s on %s (stopped: %s)", execution_id, url, stopped)
