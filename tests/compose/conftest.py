"""The deployment tests: the images ``make images`` builds, and the platform they make under
Docker Compose (``compose.yaml``), with the execution and trigger services at two replicas
each on the shared PostgreSQL. dockerd is started when it does not run (scripts/docker-engine).

One Compose project serves the whole suite: its own project name, the gateway on a free port,
and a copy of ``etc/compose`` that lets functions reach the network (to report their runs to a
counter in this process, ``qinling_testing.run_counter``). It is taken down with its volumes.
"""
import os
import shutil

import pytest

from qinling_testing.api_client import ApiClient
from qinling_testing.compose import REPO, ComposeProject, build_images
from qinling_testing.container_images import args_image  # noqa: F401 - a fixture
from qinling_testing.docker_engine import docker_engine  # noqa: F401 - a fixture
from qinling_testing import run_counter

REPLICAS = ("execution=2", "trigger=2")


@pytest.fixture(scope="session")
def image_tag(tmp_path_factory):
    """Every image built (scripts/images): their tag."""
    return build_images(tmp_path_factory.mktemp("images") / "images.log")


@pytest.fixture(scope="session")
def deployment(image_tag, tmp_path_factory):
    etc = tmp_path_factory.mktemp("etc")
    shutil.copy(REPO / "etc" / "compose" / "qinling.conf", etc / "qinling.conf")
    with open(etc / "qinling.conf", "a") as conf:
        conf.write("allow_network = true\n")  # the file ends with [local]
    os.chmod(etc, 0o755)
    project = ComposeProject(f"qinling-test-{os.getpid()}", image_tag, etc)
    try:
        project.up(*REPLICAS)
        yield project
    finally:  # every container's log, for what failed
        (REPO / "var" / "log").mkdir(parents=True, exist_ok=True)
        (REPO / "var" / "log" / "compose-tests.log").write_text(project.logs())
        project.down()


@pytest.fixture
def api(deployment):
    with ApiClient(deployment.api_url) as client:
        yield client


@pytest.fixture(scope="session")
def counter(deployment):
    """Counts the runs of ``counted_function``; functions reach it on the project's network."""
    address = deployment.gateway_ip()
    counter = run_counter.RunCounter(bind=address)
    yield counter
    counter.close()


@pytest.fixture(scope="session")
def counted_function(deployment, counter):
    """A function of ``run_counter.SOURCE``, warm (``run_counter.counted_function``)."""
    return run_counter.counted_function(deployment.api_url, counter)
