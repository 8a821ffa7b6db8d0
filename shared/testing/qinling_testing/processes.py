"""Child processes with their output in a log file, stopped politely then firmly."""
import os
import signal
import subprocess
import time


def spawn(argv, log_path, cwd=None, env=None):
    """Start ``argv`` in its own session (so its children can be reaped with it)."""
    with open(log_path, "ab") as log:
        log.write(f"==> {' '.join(map(str, argv))}\n".encode())
        log.flush()
        return subprocess.Popen(
            [str(a) for a in argv], stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, cwd=cwd, env=env, start_new_session=True)


def terminate(procs, grace=10.0):
    """SIGTERM every process, wait up to ``grace`` seconds in all, then SIGKILL the rest."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        wait_or_kill(proc, max(0.0, deadline - time.monotonic()))


def wait_or_kill(proc, grace):
    """Wait up to ``grace`` seconds for ``proc`` to exit, then SIGKILL it."""
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def kill_group(pgid):
    """SIGKILL what is left of a process group (e.g. workers a killed service had forked)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def tail(path, lines=30):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def wait_ready(proc, probe, timeout, interval=0.05):
    """Poll ``probe()`` until it is true (True), ``proc`` exits or ``timeout`` passes (False;
    the process is then stopped). ``probe`` may raise: that counts as not ready yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if probe():
                return True
        except Exception:  # not listening yet, or a half-started answer
            pass
        time.sleep(interval)
    terminate([proc], grace=2)
    return False


class Managed:
    """The context-manager protocol of a test server with ``start()`` (returning self) and
    ``stop()``; a failed start still stops what it had started."""

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc_info):
        self.stop()
