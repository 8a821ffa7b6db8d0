"""The [kubernetes] options are checked at start: kube_host an http(s) URL, the certificate
files present when an https kube_host uses them, the namespace a Kubernetes name."""
import pytest

from qinling_execution.kubernetes_settings import check
from qinling_shared.config_checks import ConfigError

QINLING_DEFAULTS = {  # the options' defaults, as Qinling had them
    "kube_host": "http://127.0.0.1:8001", "use_api_certificate": True,
    "ssl_ca_cert": "/etc/qinling/pki/kubernetes/ca.crt",
    "cert_file": "/etc/qinling/pki/kubernetes/qinling.crt",
    "key_file": "/etc/qinling/pki/kubernetes/qinling.key",
    "namespace": "qinling", "replicas": 3}


@pytest.fixture
def certificates(tmp_path):
    """The three certificate options, naming files that exist."""
    files = {}
    for option in ("ssl_ca_cert", "cert_file", "key_file"):
        files[option] = str(tmp_path / f"{option}.pem")
        (tmp_path / f"{option}.pem").write_text("pem")
    return files


def test_the_defaults_pass_without_certificate_files():
    check(QINLING_DEFAULTS)   # http (kubectl proxy): the certificates are not used


@pytest.mark.parametrize("kube_host", ["http://10.0.0.1:6443", "http://k8s.example.org",
                                       "http://[fd00::1]:8001/"])
def test_http_urls_pass(kube_host):
    check({**QINLING_DEFAULTS, "kube_host": kube_host})


@pytest.mark.parametrize("kube_host", ["", "127.0.0.1:8001", "ftp://k8s:21", "https://",
                                       "k8s.example.org", "unix:///run/k8s.sock"])
def test_anything_but_an_http_url_is_refused(kube_host):
    with pytest.raises(ConfigError, match=rf"^\[kubernetes\] kube_host = {kube_host}: not an "
                                          r"http\(s\) URL of the Kubernetes API"):
        check({**QINLING_DEFAULTS, "kube_host": kube_host})


def test_a_port_that_is_no_number_is_refused():
    with pytest.raises(ConfigError, match=r"^\[kubernetes\] kube_host = http://k8s:api: "):
        check({**QINLING_DEFAULTS, "kube_host": "http://k8s:api"})


def test_https_with_the_api_certificate_and_its_files_passes(certificates):
    check({**QINLING_DEFAULTS, "kube_host": "https://k8s:6443", **certificates})


@pytest.mark.parametrize("missing", ["ssl_ca_cert", "cert_file", "key_file"])
def test_https_with_the_api_certificate_names_a_missing_file(certificates, missing):
    settings = {**QINLING_DEFAULTS, "kube_host": "https://k8s:6443", **certificates,
                missing: "/nonexistent/file.pem"}
    with pytest.raises(ConfigError, match=rf"^\[kubernetes\] {missing} = /nonexistent/file.pem:"
                                          r" no such file\.$"):
        check(settings)


def test_https_with_the_api_certificate_and_the_default_paths_names_the_ca():
    with pytest.raises(ConfigError, match=r"^\[kubernetes\] ssl_ca_cert = "
                                          r"/etc/qinling/pki/kubernetes/ca.crt: no such file"):
        check({**QINLING_DEFAULTS, "kube_host": "https://k8s:6443"})


def test_an_unset_certificate_option_is_named():
    with pytest.raises(ConfigError, match=r"^\[kubernetes\] cert_file is not set\.$"):
        check({**QINLING_DEFAULTS, "kube_host": "https://k8s:6443", "ssl_ca_cert": __file__,
               "cert_file": ""})


def test_https_without_the_api_certificate_needs_no_files():
    check({**QINLING_DEFAULTS, "kube_host": "https://k8s:6443", "use_api_certificate": False})


@pytest.mark.parametrize("namespace", ["Qinling", "qinling_fn", "-qinling", "", "a" * 64])
def test_a_namespace_kubernetes_would_refuse_is_refused(namespace):
    with pytest.raises(ConfigError, match=r"^\[kubernetes\] namespace = .*: not a Kubernetes "
                                          r"namespace name"):
        check({**QINLING_DEFAULTS, "namespace": namespace})
