"""What runs in a confined runtime server process (R), per runtime.

- ``python3``: the Python runtime's server, already imported by the zygote, runs in this very
  process after the uid drop: no exec, no imports on the cold-start path. Executions get a
  cgroup each (``execlimits``); packages come through the worker's init (``fetcher``).
- ``nodejs``: exec ``node server.js`` with the listening socket as fd 3 and the fetch socket as
  fd 4. The process execs as root holding only CAP_SETUID/CAP_SETGID and switches to the
  function's uid first thing; a program that drops its uid itself is not dumpable, so the
  executions it spawns (same uid) cannot ptrace it or read its memory.
"""
import fcntl
import json
import os

from . import execlimits, fetcher

LISTEN_FD, FETCH_FD = 3, 4


def python3(server_module):
    def launch(worker):
        worker.drop_privileges()
        group = worker.cgroup
        confinement = (execlimits.ExecutionCgroups(group, worker.plan["strict"])
                       if group is not None else None)
        packages = fetcher.FetchClient(worker.fetch_sock, worker.paths["packages"])
        server = server_module.WorkerServer(packages, worker.plan["log_limit"],
                                            fd=worker.listen_fd, confinement=confinement)
        server_module.serve(server)
    return launch


def nodejs(worker):
    plan, paths = worker.plan, worker.paths
    _place_fds([worker.listen_fd, worker.fetch_sock.fileno()])
    worker.drop_privileges(for_exec=True)
    config = {
        "cacheDir": paths["packages"], "uid": worker.uid, "logLimit": plan["log_limit"],
        "strict": plan["strict"], "cgroup": None if not plan["cgroup"] else {
            "version": plan["cgroup"]["version"], "dirs": paths["cgroup"]},
    }
    node = plan["executable"]
    server = os.path.join(paths["runtime"], "server.js")
    os.execve(node, [node, server, "--fd", str(LISTEN_FD), "--fetch-fd", str(FETCH_FD),
                     "--config", json.dumps(config)], dict(os.environ))


def _place_fds(fds):
    """Make ``fds`` the descriptors 3, 4, ... (inheritable), whatever their numbers now."""
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds]
    for target, fd in enumerate(moved, start=LISTEN_FD):
        os.dup2(fd, target, inheritable=True)
        os.close(fd)
