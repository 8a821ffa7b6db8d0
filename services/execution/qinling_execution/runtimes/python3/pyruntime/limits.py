"""Limits an execution child applies to itself before it loads user code.

Memory is not limited here: ``RLIMIT_AS`` counts virtual memory and is not reliable for Python
(glibc arenas, thread stacks); memory limits come with the cgroup work, through
:func:`limit_memory`.
"""
import ctypes
import resource
import signal

OPEN_FILES = 1024
FILE_SIZE = 500 * 1024 * 1024
_PR_SET_PDEATHSIG = 1

try:
    _LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - no C library to talk to
    _LIBC = None


def apply(memory_size, cpu):
    """Apply every per-execution limit (values from the /execute request)."""
    lower(resource.RLIMIT_NOFILE, OPEN_FILES)
    lower(resource.RLIMIT_FSIZE, FILE_SIZE)
    lower(resource.RLIMIT_CORE, 0)
    limit_memory(memory_size)
    limit_cpu(cpu)


def lower(which, value):
    """Set soft and hard limit to ``value``, never above the current hard limit."""
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def limit_memory(memory_size):
    """Hook for the cgroup memory limit (later work); no limit is applied yet."""


def limit_cpu(cpu):
    """Hook for the cgroup cpu quota (later work); the wall-clock timeout bounds cpu now."""


def die_with_parent():
    """Ask the kernel to SIGKILL this process when the thread that forked it exits (Linux)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
