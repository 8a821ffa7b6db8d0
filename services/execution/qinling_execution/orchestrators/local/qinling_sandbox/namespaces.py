"""Linux namespaces by name, and the loopback interface of a fresh network namespace."""
import fcntl
import socket
import struct

from . import syscalls

FLAGS = {
    "mount": syscalls.CLONE_NEWNS,
    "pid": syscalls.CLONE_NEWPID,
    "net": syscalls.CLONE_NEWNET,
    "ipc": syscalls.CLONE_NEWIPC,
    "uts": syscalls.CLONE_NEWUTS,
    "user": syscalls.CLONE_NEWUSER,
}
_SIOCSIFFLAGS = 0x8914
_IFF_UP_LOOPBACK_RUNNING = 0x1 | 0x8 | 0x40


def unshare(names):
    """Enter new namespaces of the given kinds (``"pid"`` applies to children forked next)."""
    flags = 0
    for name in names:
        flags |= FLAGS[name]
    if flags:
        syscalls.unshare(flags)


def loopback_up():
    """Bring ``lo`` up in this (new, empty) network namespace: 127.0.0.1 works, nothing else."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", _IFF_UP_LOOPBACK_RUNNING))


def isolate_network():
    """An empty network namespace with only loopback: no route to the host or beyond."""
    unshare(["net"])
    loopback_up()
