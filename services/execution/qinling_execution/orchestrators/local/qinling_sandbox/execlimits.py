"""One cgroup per execution, made by the worker's init when its runtime server asks
(``runtime_requests.py``), for any runtime.

The worker's uid owns the worker's cgroup directory (the driver delegated it), so the init (the
function's uid once bound) makes a child group per execution with the request's limits:
``memory`` as the memory limit (no swap), ``cpu`` (millicpu) as the CFS quota, and a pids
limit. The runtime server's execution child joins it before loading user code; once the
outcome is known, the runtime server releases the group and every process in it, the child
included, is ended at once (``killing.py``). An
emptied group is kept for the next execution with the same limits (up to ``KEPT_GROUPS``;
making and removing one costs more than the rest of a short execution's confinement), any other
removed. The worker's own group (limits written by root) bounds them all.
"""
import itertools
import sys
import threading

EXECUTION_PIDS = 128
KEPT_GROUPS = 4  # emptied execution groups kept per worker for reuse
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
        self._kept = []  # (limits, group): emptied groups, newest last

    def prepare(self, memory, cpu):
        """The scope of one execution's group with these limits (bytes, millicpu; None: no
        limit); without a group when that fails and isolation is not required."""
        limits = (memory, cpu)
        kept = self._take(limits)
        if kept is not None:
            # Still empty (a process of the same function may have moved in meanwhile), and
            # its quota refilled: not what earlier children used of the current period.
            if not kept.procs() and kept.refill_cpu(cpu):
                return ExecutionScope(self, kept, limits)
            kept.remove()
        with self._lock:
            group = self.group.child(f"x{next(self._names)}")
        group.keep_files_open()
        try:
            group.make()
        except OSError as exc:
            return self._degraded(f"cannot make the execution's cgroup: {exc}")
        report = group.write_limits(memory=memory, cpu=cpu, pids=self.pids)
        failed = {k: v for k, v in report.items() if v != "ok" and k not in OPTIONAL_FILES}
        if failed:
            group.remove()
            return self._degraded(f"cannot limit the execution's cgroup: {failed}")
        return ExecutionScope(self, group, limits)

    def keep(self, limits, group):
        """Keep an emptied group for reuse, or remove it when enough are kept."""
        with self._lock:
            if len(self._kept) < KEPT_GROUPS:
                self._kept.append((limits, group))
                return
        group.remove()

    def _take(self, limits):
        with self._lock:
            for index in range(len(self._kept) - 1, -1, -1):
                if self._kept[index][0] == limits:
                    return self._kept.pop(index)[1]
        return None

    def _degraded(self, message):
        if self.strict:
            raise SandboxError(message)
        print(f"qinling-sandbox: {message}; running without it", file=sys.stderr, flush=True)
        return ExecutionScope(self, None, None)


class InProcess:
    """The confinement of a runtime server that runs in the sandbox's own process (the Python
    server the zygote preloaded): the same execution groups the init makes for other runtimes,
    made here without a round trip to the init (``pyruntime.execution.run(confinement=)``:
    ``prepare(request)``, then ``enter()`` in the child and ``close()`` once its outcome is
    known)."""

    def __init__(self, worker_group, strict=False):
        self.cgroups = ExecutionCgroups(worker_group, strict)

    def prepare(self, request):
        return JoinedScope(self.cgroups.prepare(request.memory_size, request.cpu))


class JoinedScope:
    """An execution scope whose child joins its group itself."""

    def __init__(self, scope):
        self.scope = scope

    def enter(self):
        """In the execution child, before user code: join the execution's group."""
        group = self.scope.group
        if group is None:
            return
        try:
            group.join()
        except OSError:
            if self.scope.owner.strict:
                raise

    def close(self):
        self.scope.close()


class ExecutionScope:
    def __init__(self, owner, group, limits):
        self.owner = owner
        self.group = group  # None: no group (a failure where isolation is not required)
        self.limits = limits

    def close(self):
        """Once the execution's outcome is known: end every process of the group (the child
        too, which its runtime server then reaps); keep the group for the next execution if
        that left it empty and without groups of its own."""
        if self.group is None:
            return
        if self.group.kill() and not self.group.has_children():
            self.owner.keep(self.limits, self.group)
        else:
            self.group.remove()
