"""Throwaway TLS files for tests: a CA, a server certificate for 127.0.0.1 (valid for client
auth too, as etcd needs it) and a client certificate, both signed by that CA, written as PEM
files (keys readable by their owner only).

    files = make_tls_files(tmp_path)
    requests.get(url, verify=files.ca_cert, cert=(files.client_cert, files.client_key))
"""
import dataclasses
import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=2)


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, key, issuer, issuer_key, extensions):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + VALIDITY))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path, data, private=False):
    path.write_bytes(data)
    if private:
        os.chmod(path, 0o600)
    return path


def _write_key(path, key):
    # an RSA key as PKCS#1 ("BEGIN RSA PRIVATE KEY"), as OpenSSL and python-magnumclient write it
    layout = (serialization.PrivateFormat.TraditionalOpenSSL if isinstance(key, rsa.RSAPrivateKey)
              else serialization.PrivateFormat.PKCS8)
    return _write(path, key.private_bytes(serialization.Encoding.PEM, layout,
                                          serialization.NoEncryption()), private=True)


def _new_key(rsa_keys):
    return (rsa.generate_private_key(public_exponent=65537, key_size=2048) if rsa_keys
            else ec.generate_private_key(ec.SECP256R1()))


def _write_cert(path, cert):
    return _write(path, cert.public_bytes(serialization.Encoding.PEM))


def _leaf(name, ca_key, usages, alt_names=(), rsa_keys=False):
    """A key and a certificate signed by the CA, for ``usages`` (server and/or client auth)."""
    key = _new_key(rsa_keys)
    extensions = [(x509.BasicConstraints(ca=False, path_length=None), True),
                  (x509.ExtendedKeyUsage(list(usages)), False)]
    if alt_names:
        extensions.append((x509.SubjectAlternativeName(list(alt_names)), False))
    return key, _certificate(name, key, "qinling-test-ca", ca_key, extensions)


def make_tls_files(directory, host="127.0.0.1", rsa_keys=False):
    """Write a new CA, a server certificate for ``host`` (an IP address) and ``localhost``,
    and a client certificate into ``directory`` (created if missing). ``rsa_keys``: RSA keys
    (2048 bits, the client's written as PKCS#1, as a Magnum cluster's are), else EC ones."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = _new_key(rsa_keys)
    ca = _certificate("qinling-test-ca", ca_key, "qinling-test-ca", ca_key, [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                       content_commitment=False, key_encipherment=False,
                       data_encipherment=False, key_agreement=False, encipher_only=False,
                       decipher_only=False), True)])
    # client auth too: etcd's JSON gateway presents the server certificate to etcd's own
    # gRPC server, which --client-cert-auth makes check it as a client's
    server_key, server = _leaf(host, ca_key, [ExtendedKeyUsageOID.SERVER_AUTH,
                                              ExtendedKeyUsageOID.CLIENT_AUTH], [
        x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")], rsa_keys)
    client_key, client = _leaf("qinling", ca_key, [ExtendedKeyUsageOID.CLIENT_AUTH],
                               rsa_keys=rsa_keys)
    return TlsFiles(
        ca_cert=_write_cert(directory / "ca.crt", ca),
        server_cert=_write_cert(directory / "server.crt", server),
        server_key=_write_key(directory / "server.key", server_key),
        client_cert=_write_cert(directory / "client.crt", client),
        client_key=_write_key(directory / "client.key", client_key))
