"""Fixtures of the worker-contract suite: each test runs against every runtime server
(``runtime`` is parametrised; ``@pytest.mark.parametrize("runtime", [...])`` narrows it),
launched both ways (``launcher``):

- ``process``: the runtime server of this checkout as a process, as the local driver starts it;
- ``container``: the runtime image built by ``make images``, under ``docker run`` with what
  the kubernetes driver's pod sets (``runtime_containers.worker_pod``: resources, security
  context, emptyDirs), on a Docker network of the session's own. The images are built once per
  session (``scripts/images``: the Docker build cache makes a build with nothing changed short).

Packages are served on the gateway of that network: processes and containers reach it.
"""
import time

import pytest

from qinling_execution.orchestrators.kubernetes.resources import worker_size
from qinling_testing.compose import build_images
from qinling_testing.docker_engine import ensure_running
from qinling_testing.package_server import PackageServer
from qinling_testing.runtime_containers import RuntimeContainer, WorkerNetwork, worker_pod
from qinling_testing.runtime_servers import RUNTIMES, RuntimeServerProcess
from qinling_testing.sample_functions import FUNCTIONS

LAUNCHERS = ("process", "container")
# the container of a worker for functions of 100 millicpu and 32 MiB (what every test sends),
# serving 3 runs at once ([engine] function_concurrency), as the kubernetes driver sizes it
WORKER_CPU, WORKER_MEMORY = worker_size(100, 33554432, 3)


def pytest_generate_tests(metafunc):
    """Tests of the ``worker`` fixture run with each launcher; the others (which start their
    own processes) with processes."""
    if "launcher" in metafunc.fixturenames:
        both = "worker" in metafunc.fixturenames
        metafunc.parametrize("launcher", LAUNCHERS if both else ("process",), scope="session")


class Workers:
    """The session's workers, one per key, started on first use."""

    def __init__(self, cache_root):
        self.cache_root = cache_root
        self.running = {}

    def get(self, key, start):
        """The worker of ``key``; ``start()`` starts it when there is none yet."""
        if key not in self.running:
            self.running[key] = start()
        return self.running[key]

    def close(self):
        for worker in self.running.values():
            worker.close()


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    return request.param


@pytest.fixture(scope="session")
def worker_network():
    """The Docker network of the container workers (dockerd started if need be); its gateway
    is this host's address."""
    ensure_running()
    with WorkerNetwork() as network:
        yield network


@pytest.fixture(scope="session")
def image_tag(request, tmp_path_factory):
    """The images built (``scripts/images``): their tag."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    log = tmp_path_factory.mktemp("images") / "images.log"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"building the images (scripts/images; minutes the first time), "
                            f"log: {log}")
    started = time.monotonic()
    tag = build_images(log)
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"images {tag} built in {time.monotonic() - started:.0f} s")
    return tag


@pytest.fixture(scope="session")
def workers(tmp_path_factory, worker_network):  # the network outlives the containers
    started = Workers(tmp_path_factory.mktemp("worker-caches"))
    yield started
    started.close()


@pytest.fixture
def worker(request, workers, launcher, runtime):
    """The runtime's server, shared by the session: a process on an inherited socket, or a
    container of the runtime image (the images are built when a first one is needed)."""
    if launcher == "process":
        return workers.get((launcher, runtime), lambda: RuntimeServerProcess.start(
            runtime, workers.cache_root / runtime))
    tag = request.getfixturevalue("image_tag")
    network = request.getfixturevalue("worker_network")
    container, pod = worker_pod(f"qinling/runtime-{runtime}:{tag}", WORKER_CPU, WORKER_MEMORY)
    return workers.get((launcher, runtime), lambda: RuntimeContainer.start(
        container, pod, network.name))


@pytest.fixture(scope="session")
def package_server(launcher, worker_network):
    """One per launcher: tests count the downloads of their launcher's worker (a worker
    downloads a package once)."""
    with PackageServer(worker_network.gateway) as server:
        yield server


@pytest.fixture(scope="session")
def packages(package_server):
    """``{runtime: (url, sha256)}`` of a package holding the runtime's test functions."""
    return {runtime: package_server.add(f"functions-{runtime}.zip", FUNCTIONS[runtime])
            for runtime in RUNTIMES}


@pytest.fixture
def functions_package(packages, runtime):
    return packages[runtime]
