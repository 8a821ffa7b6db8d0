"""The host probe: which confinement primitives work here, tried for real.

Run at driver start in a clean process (``zygote.py --probe``). Every risky attempt runs in a
forked child, so a failure (or a success: a new namespace, a pivoted root, a dropped uid) never
affects the prober. The facts are raw; ``capabilities.assess`` (in the driver) turns them into
"what is enforced, by what, and what is missing".
"""
import json
import os
import resource

from . import cgroups, landlock, namespaces, privileges, rootfs

PROBE_UID = 29999
CAP_SYS_ADMIN, CAP_SYS_RESOURCE = 21, 24
RLIMITS = ("nofile", "nproc", "fsize", "as", "cpu")


def run(scratch):
    """Facts about this host, as a JSON-able dict."""
    root = os.geteuid() == 0
    return {
        "root": root,
        "capabilities": {"sys_admin": has_capability(CAP_SYS_ADMIN),
                         "sys_resource": has_capability(CAP_SYS_RESOURCE)},
        "cgroups": cgroup_facts(),
        "namespaces": {name: in_child(namespaces.unshare, [name]) for name in namespaces.FLAGS},
        "network_isolation": in_child(namespaces.isolate_network),
        "pivot_root": in_child(_pivot, scratch) if scratch else "no scratch directory",
        "landlock_abi": landlock.abi_version(),
        "uid_switch": in_child(privileges.become, PROBE_UID) if root else "not root",
        "rlimit_hard": {name: _hard(name) for name in RLIMITS},
    }


def in_child(function, *args):
    """Run ``function(*args)`` in a forked child: True, or the error it raised (as text)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            function(*args)
            outcome = True
        except BaseException as exc:  # noqa: B902 - report anything, from a child
            outcome = f"{type(exc).__name__}: {exc}"
        os.write(write_fd, json.dumps(outcome).encode())
        os._exit(0)
    os.close(write_fd)
    data = b""
    while chunk := os.read(read_fd, 4096):
        data += chunk
    os.close(read_fd)
    os.waitpid(pid, 0)
    return json.loads(data) if data else "the probe child died"


def has_capability(bit):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> bit & 1)
    return False


def cgroup_facts():
    """Per hierarchy: our own group, and whether a child group with limits can be made."""
    try:
        own = cgroups.read_own_cgroups()
    except OSError as exc:
        return {"error": str(exc), "v1": {}, "v2": None}
    v1 = {name: {"dir": path, "writable": _try_child(cgroups.Group(1, {name: path}))}
          for name, path in sorted(own["v1"].items())}
    return {"v1": v1, "v2": _v2_facts(own["v2"])}


def _v2_facts(path):
    if not path:
        return None
    try:
        with open(os.path.join(path, "cgroup.controllers")) as controllers:
            available = controllers.read().split()
    except OSError as exc:
        return {"dir": path, "controllers": [], "writable": str(exc)}
    usable = [c for c in cgroups.CONTROLLERS if c in available]
    group = cgroups.Group(2, {c: path for c in usable})
    writable = _try_child(group) if usable else "no controllers"
    return {"dir": path, "controllers": usable, "writable": writable, "kill": _try_kill(path)}


def _try_kill(path):
    """Whether a child group of ``path`` (v2) offers ``cgroup.kill``: True or why not."""
    probe = cgroups.Group(2, {"any": path}).child(f"qinling-probe-{os.getpid()}")
    try:
        probe.make()
    except OSError as exc:
        return f"cannot make a child group: {exc.strerror or exc}"
    try:
        return os.path.exists(os.path.join(probe.paths[0], "cgroup.kill")) or (
            "no cgroup.kill (Linux < 5.14)")
    finally:
        probe.remove()


def _try_child(group):
    """Make a child group, write its limits, remove it: True or why not."""
    probe = group.child(f"qinling-probe-{os.getpid()}")
    try:
        probe.make()
    except OSError as exc:
        return f"cannot make a child group: {exc.strerror or exc}"
    try:
        report = probe.write_limits(memory=64 << 20, cpu=100, pids=64)
        failed = {k: v for k, v in report.items()
                  if v != "ok" and k in _files_of(group) and k not in _OPTIONAL}
        return True if not failed else f"cannot write {', '.join(sorted(failed))}"
    finally:
        probe.remove()


_OPTIONAL = ("memory.memsw.limit_in_bytes", "memory.swap.max")


def _files_of(group):
    return {name for controller, name, _ in cgroups.knobs(group.version, 1, 100, 1)
            if controller in group.dirs}


def _pivot(scratch):
    namespaces.unshare(["mount"])
    rootfs.enter(scratch)


def _hard(name):
    hard = resource.getrlimit(privileges.RLIMITS[name])[1]
    return None if hard == resource.RLIM_INFINITY else hard
