"""A running Docker engine for the tests that need one (image functions, compose files).

``ensure_running()`` returns at once when ``docker info`` answers; else it starts ``dockerd``
(installing Debian's ``docker.io`` with apt-get first when ``/usr/sbin/dockerd`` is missing),
detached and logging to ``/tmp/dockerd.log``, and waits until the engine answers. An engine
it started is left running for the other suites and sessions: it is the machine's.

In a conftest: ``from qinling_testing.docker_engine import docker_engine`` (a session
fixture: the engine's API URL).
"""
import os
import shutil
import subprocess
import time

import pytest

ENGINE_URL = "unix:///var/run/docker.sock"
DOCKERD = "/usr/sbin/dockerd"
LOG = "/tmp/dockerd.log"
START_TIMEOUT = 60.0
INSTALL_TIMEOUT = 600.0


def answers():
    """Whether the engine answers ``docker info``."""
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True,
                              timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def ensure_running(timeout=START_TIMEOUT):
    """The engine's API URL once it answers (started, installed if need be)."""
    if answers():
        return ENGINE_URL
    if not os.path.exists(DOCKERD):
        _install()
    with open(LOG, "ab") as log:
        subprocess.Popen([DOCKERD], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True)
    deadline = time.monotonic() + timeout
    while not answers():
        if time.monotonic() > deadline:
            raise RuntimeError(f"dockerd did not answer within {timeout} s (see {LOG})")
        time.sleep(0.5)
    return ENGINE_URL


def _install():
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "docker.io"]):
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL,
                       timeout=INSTALL_TIMEOUT)


@pytest.fixture(scope="session")
def docker_engine():
    """The Docker engine's API URL, running."""
    return ensure_running()
