"""The test CA and its certificates, and ``EtcdServer(tls=True)``: https only to clients with
a certificate of that CA."""
import ipaddress
import stat

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from qinling_testing.certificates import make_tls_files
from qinling_testing.etcd import EtcdServer


def load(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


def usages(cert):
    return set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)


def test_the_certificates_are_signed_by_the_ca(tmp_path):
    files = make_tls_files(tmp_path / "pki")
    ca, server, client = load(files.ca_cert), load(files.server_cert), load(files.client_cert)
    for cert in (server, client):
        cert.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert x509.IPAddress(ipaddress.ip_address("127.0.0.1")) in server.extensions \
        .get_extension_for_class(x509.SubjectAlternativeName).value
    # etcd's JSON gateway presents the server certificate as a client to etcd's gRPC
    assert usages(server) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    assert usages(client) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    for key in (files.server_key, files.client_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


@pytest.fixture(scope="module")
def tls_etcd():
    with EtcdServer(tls=True) as server:
        yield server


def test_the_tls_etcd_serves_clients_with_a_certificate(tls_etcd):
    assert tls_etcd.url.startswith("https://127.0.0.1:")
    response = requests.get(tls_etcd.url + "/health", timeout=5, **tls_etcd.requests_options())
    assert response.json()["health"] == "true"
    assert tls_etcd.read_prefix("/none/") == []


def test_the_tls_etcd_refuses_a_client_without_a_certificate(tls_etcd):
    with pytest.raises(requests.exceptions.SSLError, match="bad certificate"):
        requests.get(tls_etcd.url + "/health", timeout=5, verify=str(tls_etcd.tls.ca_cert))


def test_the_tls_etcd_settings_name_the_ca_and_the_client_certificate(tls_etcd):
    files = tls_etcd.tls
    assert tls_etcd.conf_options() == {
        "host": "127.0.0.1", "port": str(tls_etcd.port), "protocol": "https",
        "ca_cert": str(files.ca_cert), "cert_file": str(files.client_cert),
        "cert_key": str(files.client_key)}
    assert isinstance(x509.load_pem_x509_certificate(files.client_cert.read_bytes())
                      .public_key(), ec.EllipticCurvePublicKey)
