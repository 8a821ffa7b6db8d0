"""Dropping privileges: rlimits, the per-function uid, no_new_privs, capability bounding set."""
import os
import resource

from . import syscalls

CAP_SETGID, CAP_SETUID, CAP_LAST = 6, 7, 63
RLIMITS = {
    "nofile": resource.RLIMIT_NOFILE, "nproc": resource.RLIMIT_NPROC,
    "fsize": resource.RLIMIT_FSIZE, "core": resource.RLIMIT_CORE,
    "as": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU,
}


def lower_rlimit(which, value):
    """Set soft and hard limit to ``value``, clamped to the current hard limit (without
    CAP_SYS_RESOURCE limits can only go down). Returns the value applied."""
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))
    return value


def apply_rlimits(limits):
    """``{"nofile": 1024, ...}`` (names of :data:`RLIMITS`); returns what was applied."""
    return {name: lower_rlimit(RLIMITS[name], value) for name, value in limits.items()}


def become(uid, gid=None):
    """Become ``uid`` for good: no supplementary groups, real/effective/saved ids all set.
    The process is then not dumpable, so processes of the same uid cannot ptrace it."""
    gid = uid if gid is None else gid
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    syscalls.prctl(syscalls.PR_SET_DUMPABLE, 0)


def keep_only_setid_capabilities():
    """Shrink the bounding set to CAP_SETUID and CAP_SETGID: a root process that execs now
    holds only those, enough for the program to switch to its uid itself."""
    for cap in range(CAP_LAST + 1):
        if cap in (CAP_SETGID, CAP_SETUID):
            continue
        try:
            syscalls.prctl(syscalls.PR_CAPBSET_DROP, cap)
        except OSError:
            break  # past the last capability this kernel knows


def no_new_privs():
    """execve can no longer grant privileges (setuid bits, file capabilities)."""
    syscalls.prctl(syscalls.PR_SET_NO_NEW_PRIVS, 1)
