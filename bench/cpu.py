"""CPU time of processes, from /proc (Linux): where a request's CPU goes."""
import os

TICK = os.sysconf("SC_CLK_TCK")


def seconds(pid, children=True):
    """CPU seconds (user + system) ``pid`` has used, with its reaped children's when
    ``children``; 0 for a process that is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    used = int(fields[11]) + int(fields[12])
    if children:
        used += int(fields[13]) + int(fields[14])
    return used / TICK


def broker_pid():
    """The RabbitMQ node's pid (its Erlang VM), or None."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    command = f.read()
            except OSError:
                continue
            if b"beam.smp" in command and b"rabbit" in command:
                return int(entry)
    return None


def usage(groups):
    """``groups``: ``{name: callable returning the pids now}``. Returns ``take()``, which gives
    ``{name: CPU seconds used since usage() was called}``. A pid that appears meanwhile
    counts from zero; one that is gone by ``take()`` is not counted."""
    start = {name: {pid: seconds(pid) for pid in pids()} for name, pids in groups.items()}

    def take():
        used = {}
        for name, pids in groups.items():
            now = {pid: seconds(pid) for pid in pids()}
            used[name] = sum(max(0.0, value - start[name].get(pid, 0.0))
                             for pid, value in now.items())
        return used
    return take
