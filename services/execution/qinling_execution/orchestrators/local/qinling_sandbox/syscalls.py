"""Thin ctypes wrappers of the Linux calls the standard library lacks.

Each raises ``OSError`` with the errno the kernel gave. Nothing here decides anything.
"""
import ctypes
import os
import platform
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36

_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(platform.machine())
LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _check(result, what):
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _bytes(value):
    return os.fsencode(value) if value is not None else None


def unshare(flags):
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source, target, fstype, flags=0, data=None):
    _check(_libc.mount(_bytes(source), _bytes(target), _bytes(fstype),
                       ctypes.c_ulong(flags), _bytes(data)), f"mount {target}")


def umount2(target, flags=0):
    _check(_libc.umount2(_bytes(target), ctypes.c_int(flags)), f"umount {target}")


def pivot_root(new_root, put_old):
    if _PIVOT_ROOT is None:
        raise OSError(38, f"pivot_root: unknown syscall number on {platform.machine()}")
    _check(_libc.syscall(_PIVOT_ROOT, _bytes(new_root), _bytes(put_old)), "pivot_root")


def sethostname(name):
    data = name.encode()
    _check(_libc.sethostname(data, ctypes.c_size_t(len(data))), "sethostname")


def prctl(option, arg2=0):
    _check(_libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(0),
                       ctypes.c_ulong(0), ctypes.c_ulong(0)), f"prctl {option}")


def die_with_parent():
    """SIGKILL this process when its parent (thread) exits."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def syscall(number, *args):
    """A raw system call; ``args`` are ints, bytes or None (a NULL pointer)."""
    return _check(_libc.syscall(ctypes.c_long(number), *[
        ctypes.c_long(a) if isinstance(a, int) else a for a in args]), f"syscall {number}")
