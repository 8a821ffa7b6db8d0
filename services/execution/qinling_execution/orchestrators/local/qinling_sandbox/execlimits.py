"""One cgroup per execution: the Python runtime's confinement hook (see pyruntime.execution).

The worker's uid owns the worker's cgroup directory (the driver delegated it), so the worker
makes a child group per execution with the request's limits: ``memory_size`` as the memory
limit (no swap), ``cpu`` (millicpu) as the CFS quota, and a pids limit. The execution child
joins it before loading user code; once the child is reaped, whatever it left in the group is
killed and the group removed. The worker's own group (limits written by root) bounds them all.
"""
import itertools
import sys
import threading

EXECUTION_PIDS = 128
OPTIONAL_FILES = ("memory.memsw.limit_in_bytes", "memory.swap.max")  # absent without swap


class SandboxError(RuntimeError):
    """A confinement step failed where isolation is required."""


class ExecutionCgroups:
    def __init__(self, worker_group, strict=False, pids=EXECUTION_PIDS):
        self.group = worker_group
        self.strict = strict
        self.pids = pids
        self._names = itertools.count(1)
        self._lock = threading.Lock()

    def prepare(self, request):
        with self._lock:
            group = self.group.child(f"x{next(self._names)}")
        try:
            group.make()
        except OSError as exc:
            return self._degraded(f"cannot make the execution's cgroup: {exc}")
        report = group.write_limits(memory=request.memory_size, cpu=request.cpu, pids=self.pids)
        failed = {k: v for k, v in report.items() if v != "ok" and k not in OPTIONAL_FILES}
        if failed:
            group.remove()
            return self._degraded(f"cannot limit the execution's cgroup: {failed}")
        return ExecutionScope(group, self.strict)

    def _degraded(self, message):
        if self.strict:
            raise SandboxError(message)
        print(f"qinling-sandbox: {message}; running without it", file=sys.stderr, flush=True)
        return ExecutionScope(None, False)


class ExecutionScope:
    def __init__(self, group, strict):
        self.group = group
        self.strict = strict

    def enter(self):
        """In the execution child, before user code: join the execution's cgroup."""
        if self.group is None:
            return
        try:
            self.group.join()
        except OSError:
            if self.strict:
                raise

    def close(self):
        """In the worker, after the child is reaped: end its leftovers, drop the group."""
        if self.group is not None:
            self.group.remove()
