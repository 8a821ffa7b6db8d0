"""Limits an execution child applies to itself before it loads user code.

rlimits hold per process: ``RLIMIT_AS`` (memory_size on top of what the child already maps)
turns an oversized allocation into a clean ``MemoryError``; ``RLIMIT_CPU`` stops a burner once
its timeout's worth of CPU is spent; ``RLIMIT_NPROC`` counts the processes of the worker's uid
(root is exempt). Memory of several processes and the CPU share are cgroup matters: under the
local driver's sandbox the child joins a cgroup of its own (``sandbox.py``).
"""
import ctypes
import math
import resource
import signal

OPEN_FILES = 1024
PROCESSES = 128
FILE_SIZE = 500 * 1024 * 1024
_PR_SET_PDEATHSIG = 1

try:
    _LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - no C library to talk to
    _LIBC = None


def apply(memory_size, cpu, timeout):
    """Apply every per-execution rlimit (values from the /execute request)."""
    lower(resource.RLIMIT_NOFILE, OPEN_FILES)
    lower(resource.RLIMIT_NPROC, PROCESSES)
    lower(resource.RLIMIT_FSIZE, FILE_SIZE)
    lower(resource.RLIMIT_CORE, 0)
    limit_cpu_time(timeout)
    if memory_size:
        lower(resource.RLIMIT_AS, mapped_bytes() + memory_size)


def lower(which, value):
    """Set soft and hard limit to ``value``, never above the current hard limit."""
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def limit_cpu_time(timeout):
    """SIGXCPU (the child dies) after the timeout's worth of CPU time, SIGKILL a second later.
    A single thread reaches it only if the wall-clock timeout failed; threads reach it sooner."""
    seconds = math.ceil(timeout) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        seconds = min(seconds, max(hard - 1, 1))
        hard = min(seconds + 1, hard)
    else:
        hard = seconds + 1
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, hard))


def mapped_bytes():
    """Virtual memory this process maps now (what RLIMIT_AS counts)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def die_with_parent():
    """Ask the kernel to SIGKILL this process when the thread that forked it exits (Linux)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
