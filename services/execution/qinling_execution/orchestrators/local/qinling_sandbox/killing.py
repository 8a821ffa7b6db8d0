"""Ending every process of a cgroup and of the groups below it, whatever the processes do
meanwhile: fork (a fork bomb), start a new session, double-fork away from their parent, ignore
SIGTERM.

Signalling the pids read from ``cgroup.procs`` one by one loses against a fork bomb: a process
forks between the read and its kill, and the child runs on. So, best first, by what the
group's directory offers:

- ``cgroup.kill`` (cgroup v2, Linux 5.14): one write kills the group and its descendants,
  forks racing it included;
- ``pids.max`` (the pids controller, v1 or v2): a limit of 0 fails every fork in the group and
  below it at once, so SIGKILL every pid until none is left, then put the limit back. This
  needs no hierarchy beyond those that limit the execution (joining one more, e.g. a v2 group
  for ``cgroup.kill`` on a hybrid host, would cost every execution one more migration);
- neither: SIGKILL every pid, repeatedly (a fork bomb may outrun it).

A group that is empty already costs one read of its ``cgroup.procs``.
"""
import contextlib
import errno
import os
import signal
import time

KILL_DEADLINE = 2.0
POLL = 0.001
ROUND = 0.05  # seconds the killed are given to exit before the next strike
METHODS = ("cgroup.kill", "pids.max", "signal")


def end_all(directory, deadline=KILL_DEADLINE, on_leftovers=None, how=None):
    """Kill every process in the group at ``directory`` and its descendants; True once none
    is left (False when ``deadline`` seconds were not enough). ``on_leftovers()`` is called
    first when there is any: a killed process must still be scheduled to exit, which a
    throttled CPU quota can delay by seconds, so the caller lifts it there. ``how``: one of
    :data:`METHODS` (default: the best the directory offers, :func:`method`)."""
    pids = procs_under(directory)
    if not pids:
        return True
    if on_leftovers is not None:
        on_leftovers()
    how = how or method(directory)
    end = time.monotonic() + deadline
    blocked = _forks_blocked(directory) if how == "pids.max" else contextlib.nullcontext()
    with blocked:
        while pids and time.monotonic() < end:
            if how == "cgroup.kill":
                _write(os.path.join(directory, "cgroup.kill"), "1")
            else:
                _signal_all(pids)
            pids = _settle(directory, min(end, time.monotonic() + ROUND))
    return not pids


def method(directory):
    """The strongest way to end the group's processes its directory offers."""
    for name in METHODS[:-1]:
        if os.path.exists(os.path.join(directory, name)):
            return name
    return "signal"


def procs_under(directory):
    """The pids in the group at ``directory`` and in the groups below it."""
    pids = _procs(directory)
    try:
        nested = os.stat(directory).st_nlink > 2  # a cgroup dir's links: 2 + its subgroups
    except FileNotFoundError:
        return pids
    if nested:
        for below, _, _ in os.walk(directory):
            if below != directory:
                pids |= _procs(below)
    return pids


@contextlib.contextmanager
def _forks_blocked(directory):
    """No fork succeeds in the group (or below it) inside the block; its limit is put back
    after."""
    path = os.path.join(directory, "pids.max")
    try:
        with open(path) as knob:
            limit = knob.read().strip()
    except FileNotFoundError:
        limit = None
    _write(path, "0")
    try:
        yield
    finally:
        if limit is not None:
            _write(path, limit)


def _signal_all(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _settle(directory, until):
    """The pids left once the killed ones have exited (polled until ``until``)."""
    while True:
        pids = procs_under(directory)
        if not pids or time.monotonic() >= until:
            return pids
        time.sleep(POLL)


def _procs(directory):
    """The pids in a cgroup; none once it is gone (removed before the open, or between the
    open and the read: ENODEV)."""
    try:  # opened afresh: under v1 an open file keeps serving the list it first read
        with open(os.path.join(directory, "cgroup.procs")) as procs:
            return {int(line) for line in procs if line.strip()}
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENODEV):
            return set()
        raise


def _write(path, value):
    try:
        with open(path, "w") as knob:
            knob.write(value)
    except FileNotFoundError:
        pass  # the group is gone: nothing left to end
