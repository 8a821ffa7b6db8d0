"""Resident memory of processes, from /proc (Linux)."""
import os
import subprocess
import sys


def rollup(pid):
    """``(rss_kib, pss_kib)`` of one process from /proc/<pid>/smaps_rollup."""
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
                values[parts[0]] = int(parts[1])
    return values.get("Rss:", 0), values.get("Pss:", 0)


def process_tree():
    """``{ppid: [pid, ...]}`` of every live process."""
    tree = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def uid(pid):
    """The real uid of ``pid``."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise OSError(f"no Uid line for {pid}")


def descendants(pid, tree=None):
    """Every live process below ``pid`` (in ``tree``, default: as it is now)."""
    children_of = process_tree() if tree is None else tree
    found, queue = [], [pid]
    while queue:
        for child in children_of.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def workers(service_pid):
    """The local driver's workers below the execution service: ``(idle, bound)``, each a list
    of process lists (a worker's init and what runs below it). The service's direct children
    are the runtimes' zygotes, theirs the workers' inits; a worker runs as root until it is
    bound to a function, then its runtime server runs as the function's uid."""
    tree = process_tree()
    idle, bound = [], []
    for zygote in tree.get(service_pid, []):
        for init in tree.get(zygote, []):
            processes = [init] + descendants(init, tree)
            try:
                (idle if all(uid(p) == 0 for p in processes) else bound).append(processes)
            except OSError:  # it exited meanwhile
                continue
    return idle, bound


def total(pids):
    """Summed ``(rss_kib, pss_kib)``; processes that vanished meanwhile are skipped."""
    rss = pss = 0
    for pid in pids:
        try:
            r, p = rollup(pid)
        except OSError:
            continue
        rss, pss = rss + r, pss + p
    return rss, pss


def bare_interpreter():
    """``(rss_kib, pss_kib)`` of an idle ``python3 -I -S`` started on its own: what any Python
    runtime server costs at least (the floor of a worker's memory)."""
    with subprocess.Popen([sys.executable, "-I", "-S", "-c",
                           "import sys; print('ready', flush=True); sys.stdin.read()"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as process:
        process.stdout.readline()  # it is up and idle
        size = rollup(process.pid)
        process.stdin.close()
    return size
