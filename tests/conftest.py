"""Fixtures for the cross-service and end-to-end tests (real servers, on 127.0.0.1)."""
from pathlib import Path

import pytest

from qinling_testing.etcd import EtcdServer
from qinling_testing.keystone import KeystoneServer
from qinling_testing.rabbit import RabbitVhost

# tests/fuzz parametrizes with schemathesis (pytest.ini keeps it out of the other suites)
pytest_plugins = ["schemathesis.pytest.plugin"]


@pytest.fixture(scope="session")
def repo_root():
    return Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def etcd_server():
    """A throwaway etcd for the session (``.host``, ``.port``, ``.url``)."""
    with EtcdServer() as server:
        yield server


@pytest.fixture(scope="session")
def keystone():
    """A real Keystone for the session (``.auth_url``, ``.region``, ``.users`` admin, qinling,
    alice, bob; ``.token(name)``, ``.session(name)``, ``.revoke(token)``)."""
    with KeystoneServer() as server:
        yield server


@pytest.fixture
def rabbit_vhost():
    """A fresh RabbitMQ vhost for one test (``.transport_url``), deleted afterwards."""
    with RabbitVhost() as vhost:
        yield vhost


# tests/compose (the container images and the Compose deployment) is a suite of its own in
# make test, run after this one: `pytest tests` leaves it out
collect_ignore = ["compose"]
