import eventlet

eventlet.monkey_patch()

import pathlib  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

# pytest runs with --import-mode=importlib (no test folder on sys.path): make the shared test
# helpers (worker_harness, contract/orchestrator_contract) importable.
_HERE = pathlib.Path(__file__).parent
for _folder in (_HERE, _HERE / "contract"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from worker_harness import FUNCTIONS, PackageServer, RunningWorker  # noqa: E402


@pytest.fixture(scope="module")
def package_server():
    """An HTTP server for function packages, like the storage service's signed URLs."""
    server = PackageServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def functions_package(package_server):
    """``(url, sha256)`` of a package holding every test function (worker_harness.FUNCTIONS)."""
    return package_server.add("functions.zip", FUNCTIONS)


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    """The real Python 3 runtime server, running on an inherited socket, shared by a module."""
    running = RunningWorker.start(tmp_path_factory.mktemp("worker-cache"))
    yield running
    running.close()
