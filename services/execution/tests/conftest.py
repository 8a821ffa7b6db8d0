import eventlet

eventlet.monkey_patch()

import pathlib  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

from qinling_testing.package_server import PackageServer  # noqa: E402
from qinling_testing.runtime_servers import RuntimeServerProcess  # noqa: E402
from qinling_testing.sample_functions import PYTHON3_FUNCTIONS  # noqa: E402

# pytest runs with --import-mode=importlib (no test folder on sys.path): make the shared test
# helpers (service_harness, contract/orchestrator_contract, contract/local_harness) importable.
_HERE = pathlib.Path(__file__).parent
for _folder in (_HERE, _HERE / "contract"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))


@pytest.fixture(scope="module")
def package_server():
    """An HTTP server for function packages, like the storage service's signed URLs."""
    with PackageServer() as server:
        yield server


@pytest.fixture(scope="module")
def functions_package(package_server):
    """``(url, sha256)`` of a package holding the Python 3 test functions (hello, failing...)."""
    return package_server.add("functions.zip", PYTHON3_FUNCTIONS)


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    """The real Python 3 runtime server, running on an inherited socket, shared by a module."""
    running = RuntimeServerProcess.start("python3", tmp_path_factory.mktemp("worker-cache"))
    yield running
    running.close()
