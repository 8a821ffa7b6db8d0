"""A self-pipe that wakes a ``select`` loop of the sandbox (the zygote's, the worker init's)
when a child exits: SIGCHLD writes to it, the loop drains it and reaps."""
import os
import signal


def on_child_exit():
    """``(read_fd, write_fd)`` of a pipe that becomes readable whenever a child exits (a
    forked child closes both)."""
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    return wake_r, wake_w


def drain(fd):
    """Empty the pipe, so that the next exit makes it readable again."""
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass
