"""What the local driver can enforce on this host, and each worker's confinement plan (pure).

:func:`assess` turns the host probe's raw facts (``qinling_sandbox/probe.py``) into a report:
each limit is *enforced* (and by which mechanism), *not enforced* (and why), or *allowed* by
the operator (the network, with ``[local] allow_network``). :func:`worker_plan` then tells a
worker which steps to take; the zygote's worker code takes exactly those.
"""
import hashlib
from dataclasses import dataclass

LIMITS = ("memory", "cpu", "pids", "nofile", "fsize", "nproc", "fs", "network", "uid")
WORKER_NAMESPACES = ("pid", "mount", "ipc", "uts")
UID_BASE, UID_COUNT = 20000, 10000
OPEN_FILES = 1024


@dataclass(frozen=True)
class Assessment:
    enforced: dict          # limit -> mechanism
    not_enforced: dict      # limit -> why not
    allowed: dict           # limit -> which setting allows it
    cgroup: dict = None     # {"version": 1|2, "dirs": {controller: our own group's dir}}
    namespaces: tuple = ()
    fs: str = None          # "pivot_root" | "landlock" | None
    isolate_network: bool = False
    switch_uid: bool = False
    leftovers: str = None   # how what an execution leaves behind is ended

    def report(self):
        """The JSON-able summary for the probe / health check."""
        return {"isolation": [k for k in LIMITS if k in self.enforced],
                "enforced": dict(self.enforced), "not_enforced": dict(self.not_enforced),
                "allowed": dict(self.allowed), "namespaces": list(self.namespaces),
                "cgroup_version": self.cgroup and self.cgroup["version"],
                "leftovers": self.leftovers}


def assess(facts, allow_network=False):
    """The :class:`Assessment` of a host described by ``facts`` (the probe's output)."""
    enforced, missing, allowed = {}, {}, {}
    cgroup = choose_cgroup(facts.get("cgroups") or {})
    controllers = set(cgroup["dirs"]) if cgroup else set()
    spaces = tuple(n for n in WORKER_NAMESPACES if facts.get("namespaces", {}).get(n) is True)
    uid = facts.get("uid_switch") is True
    version = f"cgroup v{cgroup['version']}" if cgroup else ""

    _put(enforced, missing, "memory", "memory" in controllers,
         f"{version} memory limit per execution + RLIMIT_AS",
         "no writable memory cgroup (RLIMIT_AS alone misses the memory of child processes)")
    _put(enforced, missing, "cpu", "cpu" in controllers,
         f"{version} CPU quota per execution + RLIMIT_CPU + wall-clock timeout",
         "no writable cpu cgroup (only RLIMIT_CPU and the timeout; no CPU share)")
    pids = "pids" in controllers
    nproc = "RLIMIT_NPROC under the function's uid"
    _put(enforced, missing, "pids", pids or uid,
         f"{version} pids limit per execution" if pids else nproc,
         "no writable pids cgroup and no uid switch (root is exempt from RLIMIT_NPROC)")
    nofile = (facts.get("rlimit_hard") or {}).get("nofile")
    enforced["nofile"] = "RLIMIT_NOFILE" + (
        f" (clamped to the hard limit {nofile})" if nofile and nofile < OPEN_FILES else "")
    enforced["fsize"] = "RLIMIT_FSIZE"
    _put(enforced, missing, "nproc", uid, nproc,
         "no uid switch: root is exempt from RLIMIT_NPROC")
    fs = choose_fs(facts, spaces)
    _put(enforced, missing, "fs", fs is not None, _FS_TEXT.get(fs, "").format(**facts),
         "no mount namespace with pivot_root and no Landlock")
    isolate = facts.get("network_isolation") is True
    if allow_network:
        allowed["network"] = "[local] allow_network = true"
    else:
        _put(enforced, missing, "network", isolate, "empty network namespace (loopback only)",
             f"no network namespace ({facts.get('network_isolation')})")
    uids = f"{UID_BASE}-{UID_BASE + UID_COUNT - 1}"
    _put(enforced, missing, "uid", uid, f"per-function uid ({uids})",
         f"no uid switch ({facts.get('uid_switch')}): every function runs as the service's uid")
    return Assessment(enforced, missing, allowed, cgroup, spaces, fs,
                      isolate and not allow_network, uid,
                      leftovers_mechanism(cgroup, facts.get("cgroups") or {}))


_FS_TEXT = {"pivot_root": "private root (mount namespace + pivot_root): other files are absent",
            "landlock": "Landlock ABI {landlock_abi}: other files are EACCES"}


def _put(enforced, missing, limit, ok, mechanism, reason):
    if ok:
        enforced[limit] = mechanism
    else:
        missing[limit] = reason


def choose_cgroup(facts):
    """v2 when its memory, cpu and pids controllers can be used, else the writable v1
    hierarchies, else None."""
    v2 = facts.get("v2") or {}
    if v2.get("writable") is True and set(v2.get("controllers", ())) >= {"memory", "cpu", "pids"}:
        return {"version": 2, "dirs": {c: v2["dir"] for c in ("memory", "cpu", "pids")}}
    dirs = {name: info["dir"] for name, info in (facts.get("v1") or {}).items()
            if info.get("writable") is True}
    return {"version": 1, "dirs": dirs} if dirs else None


def leftovers_mechanism(cgroup, facts):
    """How the processes an execution leaves behind are ended (``killing.py``), for the
    report."""
    dirs = cgroup["dirs"] if cgroup else {}
    if cgroup and cgroup["version"] == 2 and (facts.get("v2") or {}).get("kill") is True:
        return "cgroup.kill of the execution's cgroup"
    if "pids" in dirs:
        return "pids.max 0 (no fork succeeds), then SIGKILL of every process of the cgroup"
    if dirs:
        return "SIGKILL of every process of the execution's cgroup, repeated"
    return "SIGKILL of the execution's process group only (no cgroup)"


def choose_fs(facts, spaces):
    if "mount" in spaces and facts.get("pivot_root") is True:
        return "pivot_root"
    if (facts.get("landlock_abi") or 0) >= 1:
        return "landlock"
    return None


def function_uid(function_id):
    """The uid a function's workers run as: stable, no passwd entry needed."""
    digest = hashlib.sha256(function_id.encode()).digest()
    return UID_BASE + int.from_bytes(digest[:4], "big") % UID_COUNT


def missing_message(assessment):
    """Why workers are refused under ``[local] require_isolation``; None if nothing is missing."""
    if not assessment.not_enforced:
        return None
    reasons = "; ".join(f"{k}: {v}" for k, v in assessment.not_enforced.items())
    return ("Refusing to start a worker: [local] require_isolation is set and these limits "
            f"cannot be enforced on this host: {reasons}.")


def worker_plan(assessment, name, runtime, cgroup, worker_dir, runtime_dir, server,
                executable, ro_paths, log_limit, strict, max_unpacked_size=None):
    """The plan the zygote's worker code follows (a JSON-able dict): ``runtime_dir`` holds the
    runtime server's program ``server``, which ``executable`` runs. The function's uid is not
    in it: a worker starts idle and learns it when bound."""
    return {
        "name": name, "runtime": runtime, "strict": strict, "cgroup": cgroup,
        "namespaces": list(assessment.namespaces), "isolate_network": assessment.isolate_network,
        "fs": assessment.fs, "root_dir": f"{worker_dir}/root",
        "packages_dir": f"{worker_dir}/packages", "tmp_dir": f"{worker_dir}/tmp",
        "runtime_dir": runtime_dir, "server": server, "executable": executable,
        "ro_paths": list(ro_paths), "log_limit": log_limit,
        "max_unpacked_size": max_unpacked_size,
    }
