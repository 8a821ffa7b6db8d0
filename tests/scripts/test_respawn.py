"""scripts/respawn, which `make run` puts in front of every service: a process that exits is
started again with a log line, and SIGTERM/SIGINT stop it and the respawn together."""
import signal
import subprocess
import time
from pathlib import Path

import pytest

RESPAWN = Path(__file__).resolve().parents[2] / "scripts" / "respawn"
DEADLINE = 30.0  # generous: the machine may be loaded; a pass takes about 1 s
# Exits 3 on its first start; on later ones, runs until SIGTERM (noted in "got").
SERVICE = """
trap 'echo SIGTERM >> got; exit 0' TERM
echo start >> starts
[ "$(wc -l < starts)" -ge 2 ] || exit 3
while :; do sleep 0.05; done
"""


def wait_for(predicate, what):
    deadline = time.monotonic() + DEADLINE
    while not predicate():
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE} s"
        time.sleep(0.05)


def lines(path):
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def service(tmp_path):
    script = tmp_path / "fake-service"
    script.write_text("#!/usr/bin/env bash\n" + SERVICE)
    script.chmod(0o755)
    return script


def default_sigint():
    """A shell cannot trap a signal ignored when it started, and a test run started in the
    background of a script (CI) ignores SIGINT: start respawn as a terminal would."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def respawn(service, tmp_path):
    return subprocess.Popen([RESPAWN, service], cwd=tmp_path, stderr=subprocess.PIPE, text=True,
                            env={"PATH": "/usr/bin:/bin"}, start_new_session=True,
                            preexec_fn=default_sigint)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_exited_service_is_started_again_and_a_signal_stops_both(service, tmp_path, sig):
    proc = respawn(service, tmp_path)
    try:
        wait_for(lambda: len(lines(tmp_path / "starts")) == 2, "second start")
        proc.send_signal(sig)
        assert proc.wait(DEADLINE) == 0  # the service's own status, after it stopped
    finally:
        if proc.poll() is None:
            proc.kill()
    log = proc.stderr.read()
    assert "fake-service exited with status 3; restarting in 1 s" in log
    assert f"fake-service exited with status 0 after SIG{sig.name[3:]}" in log
    assert lines(tmp_path / "got") == ["SIGTERM"]   # the service was stopped, not killed
    assert len(lines(tmp_path / "starts")) == 2    # and was not started a third time


def test_a_signal_during_the_restart_delay_stops_at_once(tmp_path):
    script = tmp_path / "always-fails"
    script.write_text("#!/usr/bin/env bash\nexit 7\n")
    script.chmod(0o755)
    proc = subprocess.Popen([RESPAWN, script], stderr=subprocess.PIPE, text=True,
                            env={"PATH": "/usr/bin:/bin", "RESPAWN_MAX_DELAY": "30"},
                            start_new_session=True)
    try:
        first = proc.stderr.readline()
        assert "always-fails exited with status 7; restarting in 1 s" in first
        second = proc.stderr.readline()
        assert "always-fails exited with status 7; restarting in 2 s" in second
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(DEADLINE) == 7
        assert time.monotonic() - started < 1.5   # not after the 2 s delay
    finally:
        if proc.poll() is None:
            proc.kill()
