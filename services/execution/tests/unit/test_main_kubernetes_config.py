"""qinling.conf [kubernetes] and [etcd] reach the execution service's container config, and
are checked first: [kubernetes] only with [engine] orchestrator = kubernetes."""
import pytest

from qinling_execution.__main__ import extra_config
from qinling_shared import config
from qinling_shared.config_checks import ConfigError
from qinling_testing.kube_apiserver import FakeKubeApiServer


def load(tmp_path, lines):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(f"[DEFAULT]\nstate_path = {tmp_path}/state\n{lines}")
    return extra_config(config.load(["--config-file", str(conf_file)]))


def test_the_kubernetes_orchestrator_gets_the_kubernetes_options(tmp_path):
    with FakeKubeApiServer(namespaces=("faas",)) as kube:   # the API must answer
        url = kube.url
        extra = load(tmp_path, f"[engine]\norchestrator = kubernetes\n[kubernetes]\n"
                               f"kube_host = {kube.url}\nnamespace = faas\nreplicas = 5\n"
                               f"worker_start_timeout = 60\n[resource_limits]\n"
                               f"default_cpu = 200\n")
    assert extra["ORCHESTRATOR"] == {"name": "kubernetes", "settings": {
        "kube_host": url, "use_api_certificate": True,
        "ssl_ca_cert": "/etc/qinling/pki/kubernetes/ca.crt",
        "cert_file": "/etc/qinling/pki/kubernetes/qinling.crt",
        "key_file": "/etc/qinling/pki/kubernetes/qinling.key",
        "namespace": "faas", "replicas": 5, "in_cluster": False, "worker_start_timeout": 60,
        "default_cpu": 200, "default_memory": 33554432, "function_concurrency": 3}}


def test_a_bad_kubernetes_option_is_refused_with_the_kubernetes_orchestrator(tmp_path):
    with pytest.raises(ConfigError, match=r"^\[kubernetes\] kube_host = k8s:8001: "):
        load(tmp_path, "[engine]\norchestrator = kubernetes\n[kubernetes]\n"
                       "kube_host = k8s:8001\n")


def test_kubernetes_options_are_not_checked_for_the_local_orchestrator(tmp_path):
    extra = load(tmp_path, "[kubernetes]\nkube_host = k8s:8001\n")
    assert extra["ORCHESTRATOR"]["name"] == "local"
    assert "runtimes_dir" in extra["ORCHESTRATOR"]["settings"]


def test_etcd_tls_options_reach_the_worker_map(tmp_path):
    for name in ("ca.crt", "q.crt", "q.key"):
        (tmp_path / name).write_text("pem")
    extra = load(tmp_path, f"[etcd]\nprotocol = https\nca_cert = {tmp_path}/ca.crt\n"
                           f"cert_file = {tmp_path}/q.crt\ncert_key = {tmp_path}/q.key\n")
    assert extra["ETCD"] == {"host": "127.0.0.1", "port": 2379, "protocol": "https",
                             "ca_cert": f"{tmp_path}/ca.crt", "cert_file": f"{tmp_path}/q.crt",
                             "cert_key": f"{tmp_path}/q.key", "prefix": "/qinling/"}


def test_a_missing_etcd_certificate_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"^\[etcd\] ca_cert = /nonexistent/ca.crt: "):
        load(tmp_path, "[etcd]\nprotocol = https\nca_cert = /nonexistent/ca.crt\n")
