import sys

import pytest

from qinling_execution.orchestrators import REGISTRY, load_orchestrator
from qinling_execution.orchestrators.fake import FakeOrchestrator
from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_execution.orchestrators.local.images import MissingRuntimes
from qinling_shared.drivers import UnknownDriver
from qinling_testing.runtime_servers import RUNTIMES_DIR


def test_registry_names_the_drivers():
    assert REGISTRY.names == ["fake", "kubernetes", "local"]


def test_load_fake():
    assert isinstance(load_orchestrator("fake", {}), FakeOrchestrator)


def test_load_local_with_defaults(tmp_path):
    driver = load_orchestrator("local", {"state_dir": str(tmp_path), "python_executable": "",
                                         "runtimes_dir": str(RUNTIMES_DIR)})
    assert isinstance(driver, LocalOrchestrator)
    assert (driver.python, driver.start_timeout) == (sys.executable, 10.0)
    assert driver.workers_dir == str(tmp_path / "workers")


def test_load_local_with_settings(tmp_path):
    driver = load_orchestrator("local", {"state_dir": str(tmp_path), "worker_start_timeout": 3,
                                         "python_executable": "/usr/bin/python3",
                                         "runtimes_dir": str(RUNTIMES_DIR)})
    assert (driver.python, driver.start_timeout) == ("/usr/bin/python3", 3)
    assert driver.probe()["runtimes"] == {"python3": "/usr/bin/python3",
                                          "nodejs": "/usr/bin/node"}
    assert driver.probe()["runtime_dirs"] == {"python3": str(RUNTIMES_DIR / "python3"),
                                              "nodejs": str(RUNTIMES_DIR / "nodejs")}


@pytest.mark.parametrize("runtimes_dir, message", [
    (None, r"^\[local\] runtimes_dir is not set"),
    ("/nonexistent", r"^\[local\] runtimes_dir = /nonexistent does not hold the runtime "
                     r"servers \(missing python3/server.py, nodejs/server.js\)"),
])
def test_local_refuses_to_start_without_its_runtime_servers(tmp_path, runtimes_dir, message):
    with pytest.raises(MissingRuntimes, match=message):
        load_orchestrator("local", {"state_dir": str(tmp_path), "runtimes_dir": runtimes_dir})


def test_an_unknown_driver_suggests_a_close_name():
    with pytest.raises(UnknownDriver, match="Did you mean 'local'"):
        load_orchestrator("locl", {})
