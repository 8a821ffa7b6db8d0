"""The local driver's zygote: one clean, pre-imported process per runtime that forks workers.

The driver execs it with a minimal environment and no descriptor but its control socket:

    python -I -S zygote.py --control-fd N --parent-pid P [--preload SERVER.py]
    python -I -S zygote.py --probe --scratch DIR       (print the host probe as JSON, exit)

It imports everything a worker needs (with ``--preload``, a Python runtime server, run in the
worker without exec; else the worker execs the runtime server named in its plan), then forks a
worker per request; each worker confines itself (``worker.py``) before it runs any user code.

Protocol on the control socket (AF_UNIX SOCK_SEQPACKET; one JSON document per message; file
descriptors travel as SCM_RIGHTS):

- zygote → driver, once:  ``{"ready": true, "pid": P}``
- driver → zygote:        ``{"op": "spawn", "plan": {...}}``
                          + [listening socket, log file, bind socket]
- zygote → driver:        ``{"ok": true, "pid": W}`` + [pidfd of the worker]
                     or   ``{"ok": false, "error": "..."}``

The zygote exits at end of file on the control socket, and when the driver dies
(PR_SET_PDEATHSIG); workers die with the zygote.
"""
import argparse
import gc
import importlib.util
import json
import os
import select
import signal
import socket
import sys

LOCAL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_MESSAGE = 256 * 1024


def main(argv=None):
    args = _parse(argv)
    sys.path.insert(0, LOCAL_DIR)
    if args.probe:
        from qinling_sandbox import probe
        print(json.dumps(probe.run(args.scratch)), flush=True)
        return
    from qinling_sandbox import syscalls
    syscalls.die_with_parent()
    if os.getppid() != args.parent_pid:
        return  # the driver died before we could ask to die with it
    syscalls.prctl(syscalls.PR_SET_CHILD_SUBREAPER, 1)
    launch = _load(args.preload)
    gc.freeze()  # forked workers share these objects: the collector must not touch (copy) them
    control = socket.socket(fileno=args.control_fd)
    control.setblocking(True)  # the driver's end may be a non-blocking (eventlet) socket
    control.sendmsg([json.dumps({"ready": True, "pid": os.getpid()}).encode()])
    _serve(control, launch)


def _parse(argv):
    parser = argparse.ArgumentParser(description="Qinling local driver zygote.")
    parser.add_argument("--preload", help="A Python runtime server to import now.")
    parser.add_argument("--control-fd", type=int)
    parser.add_argument("--parent-pid", type=int)
    parser.add_argument("--probe", action="store_true")
    parser.add_argument("--scratch", help="Empty directory the probe may mount on.")
    return parser.parse_args(argv)


def _load(preload):
    """Import what the runtime's workers need now, so forked workers need not; the launcher."""
    import encodings.cp437  # noqa: F401 - looked up lazily: zip member names
    import encodings.idna  # noqa: F401 - looked up lazily by getaddrinfo
    from qinling_sandbox import downloads, launchers, worker  # noqa: F401
    if preload is None:
        return launchers.executed
    spec = importlib.util.spec_from_file_location("qinling_runtime_server", preload)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return launchers.preloaded(module)


def _serve(control, launch):
    from qinling_sandbox import wakeups
    wake_r, wake_w = wakeups.on_child_exit()
    while True:
        _reap()
        ready = select.select([control, wake_r], [], [])[0]
        if wake_r in ready:
            wakeups.drain(wake_r)
        if control in ready:
            data, fds, _, _ = socket.recv_fds(control, MAX_MESSAGE, 3)
            if not data:
                return
            reply, reply_fds = _handle(data, fds, launch, (control.fileno(), wake_r, wake_w))
            socket.send_fds(control, [json.dumps(reply).encode()], reply_fds)
            for fd in reply_fds:
                os.close(fd)


def _handle(data, fds, launch, own_fds):
    try:
        message = json.loads(data)
        if message.get("op") != "spawn" or len(fds) != 3:
            raise ValueError(f"unknown request {message.get('op')!r} with {len(fds)} fds")
        return _spawn(message["plan"], fds, launch, own_fds)
    except Exception as exc:  # noqa: B902 - answer every request, stay up
        for fd in fds:
            _close(fd)
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}, []


def _spawn(plan, fds, launch, own_fds):
    from qinling_sandbox import worker
    report_r, report_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in (report_r, *own_fds):
            os.close(fd)
        worker.start(plan, fds, report_w, launch)
    for fd in (report_w, *fds):
        os.close(fd)
    try:
        worker_pid = worker.read_report(report_r)
    finally:
        os.close(report_r)
        _wait(pid)
    if worker_pid is None:
        return {"ok": False, "error": "the worker failed before it started (see its log)"}, []
    return {"ok": True, "pid": worker_pid}, [os.pidfd_open(worker_pid)]


def _wait(pid):
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _close(fd):
    try:
        os.close(fd)
    except OSError:
        pass


if __name__ == "__main__":
    main()
