"""How the kubernetes driver reaches the API: the client certificate configuration reaches the
client (CA, cert, key, host), a Magnum cluster's files work as they are written, the pod's
service account works in a cluster, and the start-up check names the option at fault."""
import shutil

import pytest
from kube_harness import NAMESPACE, RUNTIME_IMAGES, settings
from orchestrator_contract import IMAGE

from qinling_execution.orchestrators import load_orchestrator
from qinling_execution.orchestrators.kubernetes import connection
from qinling_shared.config_checks import ConfigError
from qinling_testing.certificates import make_tls_files
from qinling_testing.kube_apiserver import FakeKubeApiServer
from qinling_testing.ports import free_port


def runs_a_worker(values):
    driver = load_orchestrator("kubernetes", values)
    try:
        return driver.start_worker("rt-1", IMAGE, "fn-1", 0, "w-1")
    finally:
        driver.close()


def test_the_client_certificate_configuration_reaches_the_client(kube, tls):
    values = settings(kube.url, tls)
    conf = connection.configuration(values)
    assert (conf.host, conf.ssl_ca_cert, conf.cert_file, conf.key_file) == (
        kube.url, str(tls.ca_cert), str(tls.client_cert), str(tls.client_key))
    connection.check(values)
    assert runs_a_worker(values).name == "w-1"


def test_a_magnum_clusters_files_are_usable_as_they_are(tmp_path):
    """``openstack coe cluster config --output-certs`` writes ca.pem, cert.pem and key.pem
    (an RSA key, PKCS#1) beside the kubeconfig."""
    issued = make_tls_files(tmp_path / "cluster", rsa_keys=True)
    magnum = tmp_path / "magnum"
    magnum.mkdir()
    for source, name in ((issued.ca_cert, "ca.pem"), (issued.client_cert, "cert.pem"),
                         (issued.client_key, "key.pem")):
        shutil.copy(source, magnum / name)
    assert (magnum / "key.pem").read_text().startswith("-----BEGIN RSA PRIVATE KEY-----")
    with FakeKubeApiServer(tls=issued, namespaces=(NAMESPACE,)) as cluster:
        cluster.cluster.kubelet.images.update(RUNTIME_IMAGES)
        values = dict(settings(cluster.url, issued), ssl_ca_cert=str(magnum / "ca.pem"),
                      cert_file=str(magnum / "cert.pem"), key_file=str(magnum / "key.pem"))
        connection.check(values)
        assert runs_a_worker(values).url.endswith(":9090")
        cluster.assert_all_valid()


def test_in_cluster_the_service_account_is_used(tmp_path, tls):
    account = tmp_path / "serviceaccount"
    account.mkdir()
    (account / "token").write_text("qinling-execution-token")
    shutil.copy(tls.ca_cert, account / "ca.crt")
    with FakeKubeApiServer(tls=tls, token="qinling-execution-token",
                           namespaces=(NAMESPACE,)) as cluster:
        cluster.cluster.kubelet.images.update(RUNTIME_IMAGES)
        port = cluster.url.rsplit(":", 1)[1]
        values = dict(settings(cluster.url, tls), in_cluster=True, kube_host="",
                      token_file=str(account / "token"), token_ca_file=str(account / "ca.crt"),
                      environ={"KUBERNETES_SERVICE_HOST": "127.0.0.1",
                               "KUBERNETES_SERVICE_PORT": port})
        connection.check(values)
        assert runs_a_worker(values).name == "w-1"
        (account / "token").write_text("a-stale-token")
        with pytest.raises(ConfigError, match=r"^the service account's token: the Kubernetes "
                                              r"API refused it \(401 Unauthorized\)\.$"):
            connection.check(values)


def test_in_cluster_without_a_service_account_says_so(tmp_path):
    values = {"in_cluster": True, "namespace": NAMESPACE, "token_file": str(tmp_path / "no"),
              "environ": {"KUBERNETES_SERVICE_HOST": "10.0.0.1",
                          "KUBERNETES_SERVICE_PORT": "443"}}
    with pytest.raises(ConfigError, match=r"^\[kubernetes\] in_cluster = true: no service "
                                          r"account here"):
        connection.check(values)


def test_a_host_that_does_not_answer_is_named(tls):
    values = settings(f"https://127.0.0.1:{free_port()}", tls)
    with pytest.raises(ConfigError, match=rf"^\[kubernetes\] kube_host = {values['kube_host']}: "
                                          r"the Kubernetes API does not answer"):
        connection.check(values, timeout=2)


def test_a_server_the_ca_does_not_trust_is_named(kube, tls, tmp_path):
    other = make_tls_files(tmp_path / "other")
    values = dict(settings(kube.url, tls), ssl_ca_cert=str(other.ca_cert))
    with pytest.raises(ConfigError, match=rf"^\[kubernetes\] ssl_ca_cert = {other.ca_cert}: "
                                          r"the Kubernetes API at .* is not trusted with it"):
        connection.check(values)


def test_a_client_certificate_the_server_does_not_trust_is_named(kube, tls, tmp_path):
    other = make_tls_files(tmp_path / "other")
    values = dict(settings(kube.url, tls), cert_file=str(other.client_cert),
                  key_file=str(other.client_key))
    with pytest.raises(ConfigError, match=rf"^\[kubernetes\] cert_file = {other.client_cert}: "
                                          r"the Kubernetes API at .* refused the TLS "
                                          r"connection"):
        connection.check(values)


def test_an_account_without_rights_in_the_namespace_is_named(kube, tls):
    values = dict(settings(kube.url, tls), namespace="kube-public")
    kube.allowed_namespaces = {NAMESPACE}
    with pytest.raises(ConfigError, match=r"^\[kubernetes\] namespace = kube-public: the "
                                          r"Kubernetes API refuses Qinling's account there "
                                          r"\(403 Forbidden\)"):
        connection.check(values)
