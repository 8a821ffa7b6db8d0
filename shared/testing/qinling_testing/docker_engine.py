"""A running Docker engine for the tests that need one (image functions, the images and the
Compose deployment), through the project's own ``scripts/docker-engine``: it installs
Debian's ``docker.io`` when dockerd is missing and starts dockerd when it does not answer (an
engine it started is left running for the other suites and sessions: it is the machine's).

In a conftest: ``from qinling_testing.docker_engine import docker_engine`` (a session
fixture: the engine's API URL).
"""
import pathlib
import subprocess

import pytest

ENGINE_URL = "unix:///var/run/docker.sock"
SCRIPT = pathlib.Path(__file__).resolve().parents[3] / "scripts" / "docker-engine"
TIMEOUT = 900  # s: an install of docker.io, then dockerd's start


def ensure_running():
    """The engine's API URL once it answers (started, installed if need be)."""
    done = subprocess.run([SCRIPT], capture_output=True, text=True, timeout=TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(f"scripts/docker-engine failed:\n{done.stdout}{done.stderr}")
    return ENGINE_URL


def docker_client():
    """The docker client matching dockerd."""
    return subprocess.run([SCRIPT, "--client"], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="session")
def docker_engine():
    """The Docker engine's API URL, running."""
    return ensure_running()
