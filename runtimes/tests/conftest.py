"""Fixtures of the worker-contract suite: each test runs against every runtime server
(``runtime`` is parametrised; ``@pytest.mark.parametrize("runtime", [...])`` narrows it)."""
import pytest

from qinling_testing.package_server import PackageServer
from qinling_testing.runtime_servers import RUNTIMES, RuntimeServerProcess
from qinling_testing.sample_functions import FUNCTIONS


class Workers:
    """One worker per runtime, started on first use."""

    def __init__(self, cache_root):
        self.cache_root = cache_root
        self.running = {}

    def get(self, runtime):
        if runtime not in self.running:
            self.running[runtime] = RuntimeServerProcess.start(runtime, self.cache_root / runtime)
        return self.running[runtime]

    def close(self):
        for worker in self.running.values():
            worker.close()


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    return request.param


@pytest.fixture(scope="session")
def workers(tmp_path_factory):
    started = Workers(tmp_path_factory.mktemp("worker-caches"))
    yield started
    started.close()


@pytest.fixture
def worker(workers, runtime):
    """The runtime's server, on an inherited socket, shared by the session."""
    return workers.get(runtime)


@pytest.fixture(scope="session")
def package_server():
    with PackageServer() as server:
        yield server


@pytest.fixture(scope="session")
def packages(package_server):
    """``{runtime: (url, sha256)}`` of a package holding the runtime's test functions."""
    return {runtime: package_server.add(f"functions-{runtime}.zip", FUNCTIONS[runtime])
            for runtime in RUNTIMES}


@pytest.fixture
def functions_package(packages, runtime):
    return packages[runtime]
