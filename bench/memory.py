"""Resident memory of processes, from /proc (Linux)."""
import os


def rollup(pid):
    """``(rss_kib, pss_kib)`` of one process from /proc/<pid>/smaps_rollup."""
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
                values[parts[0]] = int(parts[1])
    return values.get("Rss:", 0), values.get("Pss:", 0)


def descendants(pid):
    """Every live process below ``pid``."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


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
