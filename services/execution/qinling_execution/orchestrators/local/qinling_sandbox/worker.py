"""A worker, from the zygote's fork to its runtime server: confine first, then run.

Three processes, each confining itself before the next step (pivot_root mode, as root):

- **W0**, forked by the zygote: new session, output to the worker's log, joins the worker's
  cgroup, unshares the pid namespace, forks W1, reports W1's pid to the zygote and exits (so the
  zygote, a subreaper, becomes W1's parent). W1 holds a pidfd of the zygote and ends with it
  (or lingers, an orphan, when the service died too: ``init.py``).
- **W1**, pid 1 of the new pid namespace: new mount, ipc and uts namespaces, the private root
  (``rootfs``), forks R, then serves as the worker's init (``init``: package downloads and
  execution cgroups for R, reaping); it drops to the function's uid when R is bound.
- **R**, the runtime server: an empty network namespace (unless the network is allowed) and
  rlimits; it then says ``ready`` on its bind socket and waits, idle, until the driver binds it
  to a function (``{"uid": U}``: the function's uid, or null when uids are not switched).
  Then Landlock if that is the file-system mode, the uid, no_new_privs, and the runtime
  server: ``launch(worker)`` (``launchers.py``), the same arguments for every runtime.

``plan`` (built by the driver; see ``capabilities.worker_plan``) says which steps to take. A step
that fails is fatal when ``plan["strict"]``, else it is logged and skipped.
"""
import json
import os
import socket
import struct
import sys
import traceback

from . import (cgroups, init, landlock, namespaces, privileges, rootfs, runtime_requests,
               syscalls)

WORKER_OPEN_FILES = 4096
FAILED = 70
_REPORT = struct.Struct("=i")


class Worker:
    """What a runtime launcher gets: the plan, paths as seen inside, the listening socket and
    the socket to the worker's init."""

    def __init__(self, plan, paths, listen_fd, init_sock, steps, uid=None):
        self.plan, self.paths, self.listen_fd = plan, paths, listen_fd
        self.init_sock, self.steps, self.uid = init_sock, steps, uid

    def drop_privileges(self, for_exec=False):
        """Landlock (in that mode), then the function's uid; ``for_exec`` keeps root with only
        CAP_SETUID/CAP_SETGID for a program that switches uid itself after exec."""
        if self.plan["fs"] == "landlock":
            self.steps.run("Landlock", landlock.restrict, *landlock_paths(self.plan))
        if self.uid is not None:
            if for_exec:
                privileges.keep_only_setid_capabilities()
            else:
                privileges.become(self.uid)
        privileges.no_new_privs()


class Steps:
    def __init__(self, strict):
        self.strict = strict

    def run(self, what, function, *args):
        """Run one step; True if it worked (a failure raises when strict)."""
        try:
            function(*args)
            return True
        except OSError as exc:
            if self.strict:
                raise RuntimeError(f"refusing to run: {what} failed: {exc}") from exc
            log(f"{what} failed ({exc}); continuing without it")
            return False


def log(message):
    print(f"qinling-sandbox: {message}", file=sys.stderr, flush=True)


def start(plan, fds, report_fd, launch):
    """W0, in the zygote's child; never returns. ``fds``: listening socket, log, bind socket."""
    listen_fd, log_fd, bind_fd = fds
    try:
        os.setsid()
        _redirect_output(log_fd)
        _close_fds(keep=(listen_fd, bind_fd, report_fd))
        steps = Steps(plan["strict"])
        if plan["cgroup"]:
            group = cgroups.Group.from_plan(plan["cgroup"]).child("worker")
            steps.run("joining the worker's cgroup", group.join)
        # W1 ends when the zygote does. Not by a parent-death signal: it would fire when W0
        # exits (W1's parent until then), and a uid change clears it. It lingers when the
        # service died too (``init``): it watches the service as well.
        zygote = os.pidfd_open(os.getppid())
        service = _pidfd(plan.get("service_pid"))
        if "pid" in plan["namespaces"]:
            steps.run("pid namespace", namespaces.unshare, ["pid"])
        pid = os.fork()
        if pid == 0:
            os.close(report_fd)
            _init(plan, (listen_fd, bind_fd, zygote, service), steps, launch)
        os.write(report_fd, _REPORT.pack(pid))
    except BaseException:  # noqa: B902 - a forked child must reach os._exit
        traceback.print_exc()
        os._exit(FAILED)
    os._exit(0)


def _pidfd(pid):
    """A pidfd of ``pid`` (None without one, or when it is gone already)."""
    if not pid:
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:
        return None


def await_binding(bind_fd):
    """Say ``ready`` to the driver, wait for its binding; the function's uid (or None)."""
    with socket.socket(fileno=bind_fd) as sock:
        sock.setblocking(True)
        sock.sendall(b"ready\n")
        with sock.makefile("rb") as lines:
            line = lines.readline(4096)
    if not line:
        raise SystemExit("the driver closed the bind socket before binding the worker")
    return json.loads(line)["uid"]


def read_report(fd):
    """The zygote's side of W0's report: W1's pid, or None if W0 failed first."""
    data = b""
    while len(data) < _REPORT.size:
        chunk = os.read(fd, _REPORT.size - len(data))
        if not chunk:
            return None
        data += chunk
    return _REPORT.unpack(data)[0]


def _init(plan, fds, steps, launch):
    """W1; never returns."""
    listen_fd, bind_fd, zygote, service = fds
    status = FAILED
    try:
        paths = _enter_root(plan, steps)
        init_sock, runtime_sock = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            init_sock.close()
            for fd in (zygote, service):
                if fd is not None:
                    os.close(fd)
            _runtime(Worker(plan, paths, listen_fd, runtime_sock, steps), bind_fd, launch)
        runtime_sock.close()
        os.close(listen_fd)
        os.close(bind_fd)

        def bound(uid):
            Worker(plan, paths, None, None, steps, uid).drop_privileges()

        spec = plan["cgroup"]  # the worker's group, under which the init makes executions'
        group = cgroups.Group(spec["version"], paths["cgroup"]) if spec else None
        requests = runtime_requests.RuntimeRequests(paths["packages"], group, plan["strict"],
                                                    bound)
        status = init.serve(init_sock, requests, pid, zygote, service,
                            plan.get("orphan_linger") or 0.0)
    except SystemExit:
        status = 0
    except BaseException:  # noqa: B902
        traceback.print_exc()
    finally:
        os._exit(status)


def _runtime(worker, bind_fd, launch):
    """R; never returns."""
    try:
        syscalls.die_with_parent()
        if worker.plan["isolate_network"]:
            worker.steps.run("empty network namespace", namespaces.isolate_network)
        privileges.apply_rlimits({"nofile": WORKER_OPEN_FILES, "core": 0})
        os.chdir(worker.paths["tmp"])
        worker.uid = await_binding(bind_fd)
        worker.init_sock.sendall(runtime_requests.line({"op": "bind", "uid": worker.uid}))
        launch(worker)
    except BaseException:  # noqa: B902
        traceback.print_exc()
    os._exit(FAILED)


def _enter_root(plan, steps):
    """New mount/ipc/uts namespaces and, in pivot_root mode, the private root. Returns the
    paths the worker uses from then on."""
    host = host_paths(plan)
    kinds = [k for k in ("mount", "ipc", "uts") if k in plan["namespaces"]]
    if kinds and steps.run("namespaces " + ",".join(kinds), namespaces.unshare, kinds):
        if "uts" in kinds:
            steps.run("hostname", syscalls.sethostname, "qinling-function")
    if plan["fs"] != "pivot_root":
        return host
    inside = inside_paths(plan)
    ro = [(p, p) for p in plan["ro_paths"] + interpreter_paths(plan)]
    ro.append((plan["runtime_dir"], inside["runtime"]))
    if host["openstack"]:
        ro.append((host["openstack"], inside["openstack"]))
    rw = [(host["packages"], inside["packages"])] + [
        (host["cgroup"][c], inside["cgroup"][c]) for c in sorted(inside["cgroup"])]
    before = os.stat("/")
    if steps.run("private root", rootfs.enter, plan["root_dir"], ro, rw):
        return inside
    now = os.stat("/")  # a failure after pivot_root leaves us inside
    return host if (now.st_dev, now.st_ino) == (before.st_dev, before.st_ino) else inside


def interpreter_paths(plan):
    """The Python installation the zygote runs on, when it is not under /usr: the worker's
    init is Python whatever the runtime, and Python imports parts of its library lazily."""
    prefix = os.path.realpath(sys.base_prefix)
    return [] if prefix == "/usr" or prefix.startswith("/usr/") else [prefix]


def host_paths(plan):
    spec = plan["cgroup"]
    return {"packages": plan["packages_dir"], "tmp": plan["tmp_dir"],
            "runtime": plan["runtime_dir"], "cgroup": dict(spec["dirs"]) if spec else {},
            "openstack": plan.get("openstack_path")}


def inside_paths(plan):
    spec = plan["cgroup"]
    if not spec:
        cgroup = {}
    elif spec["version"] == 2:
        cgroup = {c: "/cgroup/unified" for c in spec["dirs"]}
    else:
        cgroup = {c: f"/cgroup/{c}" for c in spec["dirs"]}
    return {"packages": "/packages", "tmp": "/tmp", "runtime": "/runtime", "cgroup": cgroup,
            "openstack": "/openstack" if plan.get("openstack_path") else None}


def landlock_paths(plan):
    """``(read-only paths, read-write paths)`` of a worker confined by Landlock."""
    host = host_paths(plan)
    ro = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/proc", "/dev/urandom", "/dev/random",
          *("/etc/" + name for name in rootfs.ETC_FILES), plan["runtime_dir"],
          *plan["ro_paths"], *interpreter_paths(plan),
          *([host["openstack"]] if host["openstack"] else [])]
    rw = [host["packages"], host["tmp"], "/dev/null", "/dev/zero", *host["cgroup"].values()]
    return ro, rw


def _redirect_output(log_fd):
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    if log_fd > 2:
        os.close(log_fd)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace",
                      closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace",
                      closefd=False)


def _close_fds(keep):
    """Close what the zygote had open (its control socket, its wakeup pipe)."""
    highest = os.sysconf("SC_OPEN_MAX")
    start = 3
    for fd in sorted(keep):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, highest)
