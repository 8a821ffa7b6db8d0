"""Real etcd servers for the interface tests: a plain one and one over TLS with client
certificates, shared by the session. ``etcd`` is each of them in turn, so every test that
uses it runs against both (``[etcd] protocol`` http and https)."""
import pytest

from qinling_testing.etcd import EtcdServer


@pytest.fixture(scope="session")
def plain_etcd():
    with EtcdServer() as server:
        yield server


@pytest.fixture(scope="session")
def tls_etcd():
    """https only to clients with a certificate of its test CA (``--client-cert-auth``)."""
    with EtcdServer(tls=True) as server:
        yield server


@pytest.fixture(scope="session", params=["http", "https"])
def etcd(request):
    """``plain_etcd``, then ``tls_etcd``; ``etcd.settings()`` are a client's ``[etcd]``."""
    return request.getfixturevalue("tls_etcd" if request.param == "https" else "plain_etcd")
