"""Start-time checks of qinling.conf values: files named by an option, [etcd] over https."""
import pytest

from qinling_shared import config
from qinling_shared.config_checks import ConfigError, check_etcd, readable_file


@pytest.fixture
def pem(tmp_path):
    """``pem(name)``: a readable file in ``tmp_path``."""
    def make(name):
        path = tmp_path / name
        path.write_text("-----BEGIN CERTIFICATE-----\n")
        return str(path)
    return make


def etcd(protocol="https", ca_cert=None, cert_file=None, cert_key=None):
    return {"host": "127.0.0.1", "port": 2379, "protocol": protocol, "ca_cert": ca_cert,
            "cert_file": cert_file, "cert_key": cert_key, "prefix": "/qinling/"}


def test_a_readable_file_passes(pem):
    readable_file("etcd", "ca_cert", pem("ca.crt"))


@pytest.mark.parametrize("path, message", [
    (None, r"^\[etcd\] ca_cert is not set\.$"),
    ("", r"^\[etcd\] ca_cert is not set\.$"),
    ("/nonexistent/ca.crt", r"^\[etcd\] ca_cert = /nonexistent/ca.crt: no such file\.$"),
])
def test_a_missing_file_is_named_with_its_option(path, message):
    with pytest.raises(ConfigError, match=message):
        readable_file("etcd", "ca_cert", path)


def test_a_directory_is_no_file(tmp_path):
    with pytest.raises(ConfigError, match=f"= {tmp_path}: no such file"):
        readable_file("kubernetes", "key_file", str(tmp_path))


def test_http_uses_no_files():
    check_etcd(etcd("http", "/nonexistent/ca.crt", "/nonexistent/c.crt", "/nonexistent/c.key"))


def test_https_with_readable_files_passes(pem):
    check_etcd(etcd(ca_cert=pem("ca.crt"), cert_file=pem("c.crt"), cert_key=pem("c.key")))
    check_etcd(etcd())                                   # the system's CAs, no client cert
    check_etcd(etcd(ca_cert=pem("ca.crt")))              # server TLS only


@pytest.mark.parametrize("missing", ["ca_cert", "cert_file", "cert_key"])
def test_https_names_the_option_of_a_missing_file(pem, missing):
    files = {"ca_cert": pem("ca.crt"), "cert_file": pem("c.crt"), "cert_key": pem("c.key")}
    files[missing] = f"/nonexistent/{missing}"
    with pytest.raises(ConfigError, match=rf"^\[etcd\] {missing} = /nonexistent/{missing}: "
                                          r"no such file\.$"):
        check_etcd(etcd(**files))


@pytest.mark.parametrize("given, missing", [("cert_file", "cert_key"),
                                            ("cert_key", "cert_file")])
def test_the_client_certificate_and_its_key_go_together(pem, given, missing):
    with pytest.raises(ConfigError, match=rf"^\[etcd\] {missing} is not set: with protocol "
                                          rf"https, {given} needs it"):
        check_etcd(etcd(**{given: pem("x.pem")}))


def test_etcd_settings_keep_the_option_names(tmp_path):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text("[etcd]\nhost = etcd1\nport = 2381\nprotocol = https\n"
                         "ca_cert = /pki/ca.crt\ncert_file = /pki/q.crt\ncert_key = /pki/q.key\n")
    settings = config.etcd_settings(config.load(["--config-file", str(conf_file)]))
    assert settings == {"host": "etcd1", "port": 2381, "protocol": "https",
                        "ca_cert": "/pki/ca.crt", "cert_file": "/pki/q.crt",
                        "cert_key": "/pki/q.key", "prefix": "/qinling/"}
    assert config.etcd_url(settings) == "https://etcd1:2381"
    assert config.etcd_url({**settings, "host": "::1"}) == "https://[::1]:2381"


def test_etcd_settings_default_to_plain_http_without_files():
    settings = config.etcd_settings(config.load([], default_config_files=[]))
    assert (settings["protocol"], settings["ca_cert"], settings["cert_file"],
            settings["cert_key"]) == ("http", None, None, None)
