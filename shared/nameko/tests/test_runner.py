"""``qinling_nameko.runner.run``: a process whose service container died exits with status 1
and says so (its supervisor starts it again); SIGTERM stops it with status 0; its ready file
(a container's healthcheck) exists only while it runs."""
import signal
import subprocess
import sys
import time

DEADLINE = 20.0
# A service without entrypoints (no broker needed) whose dependency kills its container
# when the file "die" appears; it touches "started" once it runs.
SERVICE = '''
import pathlib
import sys

import eventlet
eventlet.monkey_patch()

from nameko.extensions import DependencyProvider
from qinling_nameko import runner

FOLDER = pathlib.Path(sys.argv[1])


class DiesOnRequest(DependencyProvider):
    def start(self):
        self.container.spawn_managed_thread(self.watch)

    def watch(self):
        (FOLDER / "started").touch()
        while not (FOLDER / "die").exists():
            eventlet.sleep(0.05)
        raise RuntimeError("the container's thread failed")


class Mortal:
    name = "mortal"
    dies = DiesOnRequest()


runner.setup_logging("mortal")
sys.exit(runner.run([Mortal], {"AMQP_URI": "amqp://guest:guest@127.0.0.1:1//"},
                    ready_file=str(FOLDER / "ready")))
'''


def start(tmp_path):
    script = tmp_path / "mortal.py"
    script.write_text(SERVICE)
    process = subprocess.Popen([sys.executable, str(script), str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    give_up = time.monotonic() + DEADLINE
    while not (tmp_path / "started").exists():
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < give_up, "the service never started"
        time.sleep(0.05)
    return process


def test_a_dead_container_ends_the_process_with_status_1(tmp_path):
    process = start(tmp_path)
    try:
        (tmp_path / "die").touch()
        assert process.wait(DEADLINE) == 1
    finally:
        if process.poll() is None:
            process.kill()
    log = process.stderr.read()
    assert "a service container died (RuntimeError: the container's thread failed); " \
           "stopping mortal and exiting with status 1" in log


def test_sigterm_stops_the_process_with_status_0(tmp_path):
    process = start(tmp_path)
    try:
        process.send_signal(signal.SIGTERM)
        assert process.wait(DEADLINE) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert "stopped" in process.stderr.read()


def test_the_ready_file_exists_only_while_the_services_run(tmp_path):
    ready = tmp_path / "ready"
    ready.write_text("left by an earlier run")  # a restarted container keeps its files
    process = start(tmp_path)
    try:
        give_up = time.monotonic() + DEADLINE
        while not (ready.exists() and ready.read_text() == ""):
            assert time.monotonic() < give_up, "the ready file was never made anew"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(DEADLINE) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not ready.exists()
