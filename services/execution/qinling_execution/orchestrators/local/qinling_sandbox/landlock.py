"""Landlock: restrict this process (and its children) to an allowlist of paths.

Used where no private root can be built (no mount namespace). Needs no privilege: any process
may restrict itself. Denied accesses fail with EACCES.
"""
import os
import struct

from . import syscalls as sc

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_WRITE_RIGHTS = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (
    1 << 11) | (1 << 12)  # remove dir/file, make char/dir/reg/sock/fifo/block/sym
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
READ_ONLY = EXECUTE | READ_FILE | READ_DIR
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1


def abi_version():
    """The Landlock ABI this kernel offers; 0 when Landlock is unavailable."""
    try:
        return sc.syscall(sc.LANDLOCK_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION)
    except OSError:
        return 0


def handled_rights(abi):
    rights = READ_ONLY | WRITE_FILE | _WRITE_RIGHTS
    if abi >= 2:
        rights |= _REFER
    if abi >= 3:
        rights |= _TRUNCATE
    if abi >= 5:
        rights |= _IOCTL_DEV
    return rights


def restrict(read_only, read_write):
    """Allow reading (and executing) ``read_only`` paths, everything on ``read_write`` paths,
    nothing else. Missing paths are skipped. Raises OSError when Landlock is unavailable."""
    abi = abi_version()
    if abi < 1:
        raise OSError(95, "Landlock is not available")
    handled = handled_rights(abi)
    ruleset = struct.pack("=Q", handled)
    fd = sc.syscall(sc.LANDLOCK_CREATE_RULESET, ruleset, len(ruleset), 0)
    try:
        for paths, rights in ((read_only, READ_ONLY), (read_write, handled)):
            for path in paths:
                _allow(fd, path, rights)
        sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1)
        sc.syscall(sc.LANDLOCK_RESTRICT_SELF, fd, 0)
    finally:
        os.close(fd)


def _allow(ruleset_fd, path, rights):
    try:
        target = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            rights &= EXECUTE | WRITE_FILE | READ_FILE | _TRUNCATE | _IOCTL_DEV
        rule = struct.pack("=Qi", rights, target)
        sc.syscall(sc.LANDLOCK_ADD_RULE, ruleset_fd, _RULE_PATH_BENEATH, rule, 0)
    finally:
        os.close(target)
