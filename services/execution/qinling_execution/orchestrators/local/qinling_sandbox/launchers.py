"""How a confined runtime server process (R) becomes its runtime server.

Every runtime server gets the same command line (see ``runtimes/README.md``)::

    --fd 3 --init-fd 4 --cache-dir /packages --log-limit BYTES [--max-unpacked-size BYTES]
    [--uid U]

the listening socket, the socket to the worker's init (package downloads, execution cgroups),
the package cache, the bound on each execution's logs and on a package's unpacked size (the
package cache is on the host's disk, once per worker). Two ways to start it:

- :func:`executed` (Node.js, any program): the descriptors become 3 and 4 and the process
  execs the runtime's executable on its server file, as root holding only
  CAP_SETUID/CAP_SETGID; the server switches to ``--uid`` first thing. A program that drops
  its uid itself is not dumpable, so the executions it spawns (same uid) cannot ptrace it or
  read its memory.
- :func:`preloaded` (Python): the zygote imported the server file already, so R drops to the
  function's uid (not dumpable either) and calls its ``main(argv, confinement)`` in this
  process with the same arguments: no exec, no imports on the cold-start path. Running in the
  sandbox's process, it gets its executions' groups from the sandbox's code in process
  (``execlimits.InProcess``) instead of asking the init for each one.
"""
import fcntl
import os

from . import cgroups, execlimits

LISTEN_FD, INIT_FD = 3, 4


def server_args(worker, listen_fd, init_fd, uid=None):
    plan = worker.plan
    args = ["--fd", str(listen_fd), "--init-fd", str(init_fd),
            "--cache-dir", worker.paths["packages"], "--log-limit", str(plan["log_limit"])]
    if plan.get("max_unpacked_size"):
        args += ["--max-unpacked-size", str(plan["max_unpacked_size"])]
    if worker.paths.get("openstack"):
        args += ["--openstack-path", worker.paths["openstack"]]
    return args if uid is None else [*args, "--uid", str(uid)]


def preloaded(server_module):
    """The launcher of a Python runtime server the zygote has imported as ``server_module``."""
    def launch(worker):
        worker.drop_privileges()
        spec = worker.plan["cgroup"]
        confinement = None if not spec else execlimits.InProcess(
            cgroups.Group(spec["version"], worker.paths["cgroup"]), worker.plan["strict"])
        server_module.main(server_args(worker, worker.listen_fd, worker.init_sock.detach()),
                           confinement=confinement)
    return launch


def executed(worker):
    plan, paths = worker.plan, worker.paths
    _place_fds([worker.listen_fd, worker.init_sock.fileno()])
    worker.drop_privileges(for_exec=True)
    program = [plan["executable"], os.path.join(paths["runtime"], plan["server"])]
    os.execve(program[0], program + server_args(worker, LISTEN_FD, INIT_FD, worker.uid),
              dict(os.environ))


def _place_fds(fds):
    """Make ``fds`` the descriptors 3, 4, ... (inheritable), whatever their numbers now."""
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds]
    for target, fd in enumerate(moved, start=LISTEN_FD):
        os.dup2(fd, target, inheritable=True)
        os.close(fd)
