"""Pure rules for a take of an asynchronous execution's message when a run of it may already
have been sent to a worker: its consumer was cut short (the execution service was killed, its
broker connection dropped) or the run failed on the way back, and the message came again.

A run is idempotent by execution id at the worker (the worker contract's ``POST /outcome``),
and the row records the worker each run was sent to before it is sent (``worker_url``). So:

- no worker recorded: nothing was sent, :data:`RUN` it;
- else :data:`ASK` that worker first; its answer decides:
  ``finished`` → :data:`RECORD` the result it kept (not run again);
  ``running`` → :data:`ASK` again (waiting at the worker) while the wait budget lasts, then
  :data:`TIMED_OUT` (it outran its timeout: recorded as such, never run a second time);
  not known there, or the worker is gone → :data:`RUN` it again: that worker died with
  the run, so the run never finished (it may have partly run: see ``docs/architecture.md``).
"""
ASK = "ask"
RECORD = "record"
RUN = "run"
TIMED_OUT = "timed_out"

FINISHED, RUNNING = "finished", "running"


def first_step(worker_url):
    """:data:`ASK` when a run was sent to a worker (``worker_url``), else :data:`RUN`."""
    return ASK if worker_url else RUN


def after_answer(state, time_left):
    """What follows the worker's answer ``state`` (``"finished"``, ``"running"`` or None),
    with ``time_left`` seconds of the wait budget left."""
    if state == FINISHED:
        return RECORD
    if state == RUNNING:
        return ASK if time_left > 0 else TIMED_OUT
    return RUN
