"""Per-worker files and cgroups on the host, made and removed by the driver.

Files (what ``workers_dir`` holds at start is a previous life's: see below):
``<workers_dir>/<name>/`` holds ``packages/`` (the package cache, owned by the function's
uid, 0700), ``tmp/`` (scratch when there is no private root) and ``root/`` (the mount point of
the private root); ``<workers_dir>/<name>.log`` is the worker's output.

cgroups: under this service's own group in each hierarchy, ``qinling-<pid>-<token>/`` holds a
group per worker with the worker-wide limits (written by root, so a function cannot raise
them); the worker's processes sit in its ``worker`` leaf, and the worker (as the function's
uid, to which the group is delegated) makes a child group per execution.

What a service that died (was killed) left behind is removed ``orphan_linger`` seconds after
the start (at once without a linger, and at ``close``): its workers' files and groups, and so
its orphan workers, which linger that long on their own (``qinling_sandbox/init.py``) so that
the service, started again, can ask them what became of the runs they had.
"""
import os
import re
import secrets
import shutil
import threading

from qinling_execution.orchestrators.local.qinling_sandbox import cgroups

_OURS = re.compile(r"^qinling-(\d+)-[0-9a-f]+$")


class Workspace:
    def __init__(self, workers_dir, cgroup, memory_limit, pids_limit, orphan_linger=0.0):
        """``cgroup``: ``{"version", "dirs": {controller: our own group}}`` or None."""
        self.workers_dir = workers_dir
        self.memory_limit, self.pids_limit = memory_limit, pids_limit
        os.makedirs(workers_dir, exist_ok=True)
        self._leftovers = ([os.path.join(workers_dir, n) for n in os.listdir(workers_dir)],
                           stale_groups(cgroup["dirs"].values()) if cgroup else [])
        self._timer = None
        if orphan_linger > 0 and any(self._leftovers):
            self._timer = threading.Timer(orphan_linger, self.remove_leftovers)
            self._timer.daemon = True
            self._timer.start()
        else:
            self.remove_leftovers()
        self.parent = None
        if cgroup:
            name = f"qinling-{os.getpid()}-{secrets.token_hex(3)}"
            self.parent = cgroups.Group(cgroup["version"], cgroup["dirs"]).child(name)
            self.parent.make()
            self.parent.enable_controllers()

    def warnings(self, assessment):
        """What keeps workers from their files under this workspace (``capabilities``'
        ``assessment``): a closed parent folder, for workers of a function's uid without a
        private root."""
        closed = closed_parent(self.workers_dir) if assessment.fs != "pivot_root" else None
        if closed is None or not assessment.switch_uid:
            return []
        return [f"{closed} is closed to other users (no o+x): workers running as a function's "
                f"uid cannot reach their packages under {self.workers_dir} without a private "
                "root"]

    def prepare(self, name):
        """Make the worker's directories and cgroup; returns ``(worker dir, cgroup plan)``."""
        worker_dir = os.path.join(self.workers_dir, name)
        for sub, mode in (("packages", 0o700), ("tmp", 0o700), ("root", 0o755)):
            path = os.path.join(worker_dir, sub)
            os.makedirs(path, exist_ok=True)
            os.chmod(path, mode)
        return worker_dir, self._make_group(name)

    def delegate(self, name, uid):
        """Hand the worker's package cache, scratch and cgroup to the function's uid."""
        for sub in ("packages", "tmp"):
            os.chown(os.path.join(self.workers_dir, name, sub), uid, uid)
        if self.parent is not None:
            group = self.parent.child(name)
            group.chown(uid, uid, v2_files=("cgroup.procs",))

    def _make_group(self, name):
        if self.parent is None:
            return None
        group = self.parent.child(name)
        group.make()
        group.enable_controllers()
        report = group.write_limits(memory=self.memory_limit, pids=self.pids_limit)
        failed = {k: v for k, v in report.items() if v != "ok" and "sw" not in k}
        if failed:
            group.remove()
            raise OSError(f"cannot limit the worker's cgroup: {failed}")
        group.child("worker").make()
        return group.to_plan()

    def remove(self, name, keep_log=False):
        """Kill what is left of the worker, remove its cgroup and files."""
        if self.parent is not None:
            self.parent.child(name).remove()
        path = os.path.join(self.workers_dir, name)
        shutil.rmtree(path, ignore_errors=True)
        if not keep_log:
            try:
                os.unlink(path + ".log")
            except FileNotFoundError:
                pass

    def remove_leftovers(self):
        """Remove what a previous life of the service left (its orphan workers included)."""
        paths, groups = self._leftovers
        self._leftovers = ([], [])
        for group in groups:
            group.remove()
        for path in paths:
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass

    def close(self):
        if self._timer is not None:
            self._timer.cancel()
        self.remove_leftovers()
        if self.parent is not None:
            self.parent.remove()


def closed_parent(path):
    """The first directory above ``path`` other users cannot traverse, or None. Workers
    without a private root reach their files by host path, as the function's uid."""
    parent = os.path.dirname(os.path.abspath(path))
    while True:
        if not os.stat(parent).st_mode & 0o001:
            return parent
        if parent == "/":
            return None
        parent = os.path.dirname(parent)


def stale_groups(bases):
    """The ``qinling-<pid>-*`` groups whose service no longer runs."""
    stale = []
    for base in set(bases):
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for name in names:
            match = _OURS.match(name)
            if match and not _running(int(match.group(1))):
                stale.append(cgroups.Group(0, {"any": os.path.join(base, name)}))
    return stale


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
