"""cgroup v1 and v2: find this process's own groups, make child groups with limits, join,
empty and remove them.

A :class:`Group` is one cgroup as each limiting controller sees it: under v1 one directory per
controller hierarchy (``memory``, ``cpu``, ``pids``), under v2 one directory for all three.
Its processes are ended by ``killing.py``. Limit writes are recorded per file (``"ok"`` or
``"failed: ..."``) so that callers can report exactly what holds. Paths are plain arguments:
tests run the writer against a temp dir tree.
"""
import errno
import os
import time

from . import killing

CONTROLLERS = ("memory", "cpu", "pids")
CFS_PERIOD_US = 100000
V2_ENABLE = "+memory +cpu +pids"


def knobs(version, memory=None, cpu=None, pids=None):
    """``[(controller, file, value)]`` in write order; ``cpu`` in millicpu (100 = 0.1 CPU)."""
    items = []
    if memory is not None:
        if version == 1:
            items += [("memory", "memory.limit_in_bytes", memory),
                      ("memory", "memory.memsw.limit_in_bytes", memory)]
        else:
            items += [("memory", "memory.max", memory), ("memory", "memory.swap.max", 0)]
    if cpu is not None:
        quota = max(1000, cpu * CFS_PERIOD_US // 1000)
        if version == 1:
            items += [("cpu", "cpu.cfs_period_us", CFS_PERIOD_US),
                      ("cpu", "cpu.cfs_quota_us", quota)]
        else:
            items += [("cpu", "cpu.max", f"{quota} {CFS_PERIOD_US}")]
    if pids is not None:
        items.append(("pids", "pids.max", pids))
    return items


def parse_proc_cgroup(text):
    """``(v1 {controller: path}, v2 path or None)`` from ``/proc/<pid>/cgroup``."""
    v1, v2 = {}, None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, names, path = parts
        if not names:
            v2 = path
        for name in names.split(","):
            if name in CONTROLLERS:
                v1[name] = path
    return v1, v2


def parse_mountinfo(text):
    """``(v1 {controller: (root, mount point)}, v2 (root, mount point) or None)``."""
    v1, v2 = {}, None
    for line in text.splitlines():
        fields, _, tail = line.partition(" - ")
        fields, tail = fields.split(), tail.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        root, point = fields[3], fields[4]
        if tail[0] == "cgroup2" and v2 is None:
            v2 = (root, point)
        elif tail[0] == "cgroup":
            for name in tail[2].split(","):
                if name in CONTROLLERS and name not in v1:
                    v1[name] = (root, point)
    return v1, v2


def own_cgroups(proc_cgroup_text, mountinfo_text):
    """Directories of this process's own cgroups: ``{"v1": {controller: dir}, "v2": dir}``
    (``v2`` is None without a cgroup2 mount)."""
    paths_v1, path_v2 = parse_proc_cgroup(proc_cgroup_text)
    mounts_v1, mount_v2 = parse_mountinfo(mountinfo_text)
    v1 = {name: _under(mounts_v1[name], path)
          for name, path in paths_v1.items() if name in mounts_v1}
    v2 = _under(mount_v2, path_v2) if mount_v2 and path_v2 is not None else None
    return {"v1": {k: d for k, d in v1.items() if d}, "v2": v2}


def read_own_cgroups():
    with open("/proc/self/cgroup") as cgroup, open("/proc/self/mountinfo") as mountinfo:
        return own_cgroups(cgroup.read(), mountinfo.read())


def _under(mount, path):
    root, point = mount
    if root != "/" and path != root and not path.startswith(root + "/"):
        return None  # our cgroup is outside what this mount shows
    relative = path[len(root):] if root != "/" else path
    return os.path.normpath(point + "/" + relative.lstrip("/"))


class Group:
    """One cgroup: ``dirs`` maps each controller to its directory (one dir for all under v2)."""

    def __init__(self, version, dirs):
        self.version = version
        self.dirs = dict(dirs)
        self._open = None  # {file path: fd} once keep_files_open() was called

    def keep_files_open(self):
        """From now on, keep a descriptor of each file written (and of the directories): a
        group used for every execution pays each open() (a path walk through the sandbox's
        checks) once. ``remove`` closes them. ``cgroup.procs`` is always read afresh."""
        if self._open is None:
            self._open = {}

    @classmethod
    def from_plan(cls, plan):
        """From ``{"version": 1|2, "dirs": {...}}`` (or None: no cgroup)."""
        return None if not plan else cls(plan["version"], plan["dirs"])

    def to_plan(self):
        return {"version": self.version, "dirs": dict(self.dirs)}

    @property
    def paths(self):
        return sorted(set(self.dirs.values()))

    def child(self, name):
        return Group(self.version, {c: os.path.join(d, name) for c, d in self.dirs.items()})

    def make(self):
        for path in self.paths:
            os.makedirs(path, exist_ok=True)

    def enable_controllers(self):
        """v2: let this group's children use memory, cpu and pids (no-op under v1)."""
        if self.version == 2:
            self.write_file("cgroup.subtree_control", V2_ENABLE)

    def write_file(self, name, value):
        for path in self.paths:
            self._write(os.path.join(path, name), value)

    def write_limits(self, memory=None, cpu=None, pids=None):
        """Write the limits given; ``{file: "ok" | "failed: reason"}``, never raises."""
        report = {}
        for controller, name, value in knobs(self.version, memory, cpu, pids):
            directory = self.dirs.get(controller)
            if directory is None:
                report[name] = f"failed: no {controller} controller"
                continue
            try:
                self._write(os.path.join(directory, name), value)
                report[name] = "ok"
            except OSError as exc:
                report[name] = f"failed: {exc.strerror or exc}"
        return report

    def refill_cpu(self, cpu):
        """Write the CPU quota (millicpu) again, which refills it: a process joining the group
        next does not inherit what earlier ones used of the current period. True when done."""
        controller, name, value = knobs(self.version, cpu=cpu)[-1]
        try:
            self._write(os.path.join(self.dirs[controller], name), value)
        except (KeyError, OSError):
            return False
        return True

    def join(self, pid=0):
        """Move ``pid`` (0: the calling process) into this group, in every hierarchy. The
        calling process of a v1 group joins through ``join_files`` (its thread alone)."""
        names = self.join_files() if pid == 0 else None
        for path, name in zip(self.paths, names or ["cgroup.procs"] * len(self.paths)):
            with open(os.path.join(path, name), "w") as procs:
                procs.write(str(pid))

    def join_files(self):
        """The file of each directory a single-threaded process writes ``0`` into to join:
        ``tasks`` under v1 (it moves the calling thread alone, which the kernel does without
        the global lock a ``cgroup.procs`` write takes: that lock waits for an RCU grace
        period, about 10 ms on an idle machine, on the path of every execution), else
        ``cgroup.procs``."""
        return ["tasks" if self.version == 1 else "cgroup.procs"] * len(self.paths)

    def chown(self, uid, gid, v2_files=()):
        """Delegate: ``uid`` may make child groups (and, under v2, where moving a process
        needs the common ancestor's ``cgroup.procs``, write the named files)."""
        for path in self.paths:
            os.chown(path, uid, gid)
            for name in v2_files if self.version == 2 else ():
                os.chown(os.path.join(path, name), uid, gid)

    @property
    def tracking_dir(self):
        """The directory whose ``cgroup.procs`` is read to find the group's processes (each
        is in every directory of the group): the pids hierarchy's under v1, where a limit of
        0 stops forks (``killing.py``)."""
        return self.dirs.get("pids") or self.paths[0]

    def procs(self):
        return killing.procs_under(self.tracking_dir) if self.dirs else set()

    def has_children(self):
        """Whether any of the group's directories holds a group of its own."""
        if self._open is not None:  # a directory's link count is 2 + its subdirectories
            return any(os.fstat(self._fd(path, os.O_RDONLY | os.O_DIRECTORY)).st_nlink > 2
                       for path in self.paths)
        for path in self.paths:
            try:
                if any(entry.is_dir() for entry in os.scandir(path)):
                    return True
            except FileNotFoundError:
                pass
        return False

    def kill(self, deadline=killing.KILL_DEADLINE):
        """End every process in the group and below it (``killing.end_all``); True once it
        holds none. An empty group costs one read."""
        if not self.dirs:
            return True
        return killing.end_all(self.tracking_dir, deadline, on_leftovers=self._unthrottle)

    def _unthrottle(self):
        """Lift the group's CPU quota (``refill_cpu`` sets it again): what is killed exits at
        once instead of waiting for its share of a throttled period."""
        directory = self.dirs.get("cpu")
        if directory is None:
            return
        name, value = ("cpu.cfs_quota_us", -1) if self.version == 1 else ("cpu.max", "max")
        try:
            self._write(os.path.join(directory, name), value)
        except OSError:
            pass

    def remove(self, deadline=killing.KILL_DEADLINE):
        """Kill what runs in the group and its descendants, then remove them all.
        Returns the directories that could not be removed."""
        self._close_files()
        self.kill(deadline)
        left = []
        for path in self.paths:
            for directory, _, _ in sorted(os.walk(path), key=lambda e: -len(e[0])):
                killing.end_all(directory, deadline)  # a process moved in another hierarchy
                if not _rmdir(directory, deadline):
                    left.append(directory)
        return left

    def _write(self, path, value):
        if self._open is None:
            with open(path, "w") as knob:
                knob.write(str(value))
            return
        os.pwrite(self._fd(path, os.O_WRONLY | os.O_CREAT), str(value).encode(), 0)

    def _fd(self, path, flags):
        fd = self._open.get(path)
        if fd is None:
            fd = self._open[path] = os.open(path, flags | os.O_CLOEXEC)
        return fd

    def _close_files(self):
        for fd in (self._open or {}).values():
            os.close(fd)
        if self._open:
            self._open = {}


def _rmdir(path, deadline):
    end = time.monotonic() + deadline
    while True:
        try:
            os.rmdir(path)
            return True
        except FileNotFoundError:
            return True
        except OSError as exc:
            if exc.errno != errno.EBUSY or time.monotonic() > end:
                return False
        time.sleep(0.005)  # exiting processes leave the group within a few ms
