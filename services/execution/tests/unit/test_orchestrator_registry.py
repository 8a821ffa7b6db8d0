import sys

import pytest

from qinling_execution.orchestrators import REGISTRY, load_orchestrator
from qinling_execution.orchestrators.fake import FakeOrchestrator
from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_shared.drivers import UnknownDriver


def test_registry_names_the_drivers():
    assert REGISTRY.names == ["fake", "local"]


def test_load_fake():
    assert isinstance(load_orchestrator("fake", {}), FakeOrchestrator)


def test_load_local_with_defaults(tmp_path):
    driver = load_orchestrator("local", {"state_dir": str(tmp_path), "python_executable": ""})
    assert isinstance(driver, LocalOrchestrator)
    assert (driver.python, driver.start_timeout) == (sys.executable, 10.0)
    assert driver.workers_dir == str(tmp_path / "workers")


def test_load_local_with_settings(tmp_path):
    driver = load_orchestrator("local", {"state_dir": str(tmp_path), "worker_start_timeout": 3,
                                         "python_executable": "/usr/bin/python3"})
    assert (driver.python, driver.start_timeout) == ("/usr/bin/python3", 3)
    assert driver.probe()["runtimes"] == {"python3": "/usr/bin/python3",
                                          "nodejs": "/usr/bin/node"}


def test_an_unknown_driver_suggests_a_close_name():
    with pytest.raises(UnknownDriver, match="Did you mean 'local'"):
        load_orchestrator("locl", {})
