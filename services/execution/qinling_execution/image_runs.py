"""Runs of image functions (``code.source = image``): no worker and no runtime; the
orchestrator runs each execution as one container of the function's image
(``Orchestrator.run_image``, contract in ``orchestrators/base.py``), whose arguments are the
execution's input (``image_args``) and whose outcome is recorded like a worker's (``runs``).

A run is among the active runs while its container runs (as :data:`ON_CONTAINER_ENGINE`), so
that a cancel kills the container (``cancellation``). An asynchronous run that is taken again
(its consumer died, ``consumer``) attaches to the container its first take left, if it is
still there: the orchestrator finds it by the execution's id. Image functions the
orchestrator cannot run are refused before an execution is accepted (:func:`check`).
"""
from qinling_execution import image_args, outcomes, transitions
from qinling_execution.active_runs import ON_CONTAINER_ENGINE
from qinling_execution.orchestrators.base import ImageRun

IMAGE = "image"


def is_image(spec):
    return spec["code"]["source"] == IMAGE


def check(spec, orchestrator):
    """``InvalidInput`` (naming what is missing) when ``spec`` is an image function the
    orchestrator cannot run now."""
    if is_image(spec):
        orchestrator.check_images()


def run(execution, spec, session, orchestrator, active_runs):
    """The outcome of the run of an image function's execution: its container's."""
    request = ImageRun(
        execution_id=execution.id, function_id=spec["id"], image=spec["code"]["image"],
        args=image_args.arguments(execution.input), cpu=spec["cpu"],
        memory_size=spec["memory_size"], timeout=spec["timeout"])
    if not active_runs.start(execution.id, ON_CONTAINER_ENGINE):
        return outcomes.cancelled()
    try:
        if not execution.sync and not transitions.mark_sent(session, execution.id, None,
                                                            row=execution):
            return outcomes.cancelled()  # it ended meanwhile (cancelled): run nothing
        return orchestrator.run_image(request)
    finally:
        active_runs.end(execution.id)
