"""``qinling-execution`` checks [etcd] and, with the kubernetes orchestrator, [kubernetes] at
start: a bad option, or a Kubernetes API that does not answer with it, ends it with status 1
and one last line naming the option, before it connects to anything else; good options and
an API that answers start it."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qinling_testing.certificates import make_tls_files
from qinling_testing.kube_apiserver import FakeKubeApiServer
from qinling_testing.ports import free_port
from qinling_testing.rabbit import RabbitVhost

COMMAND = Path(sys.executable).parent / "qinling-execution"
DEADLINE = 60   # seconds a refused start may take (it takes about 2)


def write_conf(tmp_path, lines, transport_url="rabbit://guest:guest@127.0.0.1:1/"):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(f"[DEFAULT]\nstate_path = {tmp_path}/state\n"
                         f"transport_url = {transport_url}\n{lines}")
    return conf_file


def start(tmp_path, lines, transport_url="rabbit://guest:guest@127.0.0.1:1/"):
    """Run the service on a qinling.conf of ``lines``; its exit status and stderr lines."""
    conf_file = write_conf(tmp_path, lines, transport_url)
    done = subprocess.run([COMMAND, "--config-file", conf_file], capture_output=True,
                          text=True, cwd=tmp_path, timeout=DEADLINE)
    return done.returncode, done.stderr.strip().splitlines()


@pytest.mark.parametrize("kubernetes, message", [
    ("kube_host = 127.0.0.1:8001",
     "[kubernetes] kube_host = 127.0.0.1:8001: not an http(s) URL of the Kubernetes API "
     "(http(s)://host[:port])."),
    ("kube_host = https://k8s.example.org:6443",
     "[kubernetes] ssl_ca_cert = /etc/qinling/pki/kubernetes/ca.crt: no such file."),
    ("namespace = Qinling",
     "[kubernetes] namespace = Qinling: not a Kubernetes namespace name (lower-case letters, "
     "digits and '-', at most 63)."),
])
def test_a_bad_kubernetes_option_ends_the_start_naming_it(tmp_path, kubernetes, message):
    status, stderr = start(tmp_path, f"[engine]\norchestrator = kubernetes\n"
                                     f"[kubernetes]\n{kubernetes}\n")
    assert (status, stderr[-1]) == (1, f"qinling-execution: {message}")


def test_a_missing_etcd_certificate_ends_the_start_naming_it(tmp_path):
    status, stderr = start(tmp_path, f"[etcd]\nprotocol = https\ncert_file = {tmp_path}/q.crt\n"
                                     f"cert_key = {tmp_path}/q.key\n")
    assert (status, stderr[-1]) == (
        1, f"qinling-execution: [etcd] cert_file = {tmp_path}/q.crt: no such file.")


def test_good_kubernetes_options_and_an_api_that_answers_start_the_service(tmp_path,
                                                                           plain_etcd):
    """The checks pass, the API server answers over TLS with the client certificate, and the
    service runs with the kubernetes driver (it writes its ready file)."""
    tls = make_tls_files(tmp_path / "pki")
    ready = tmp_path / "ready"
    with FakeKubeApiServer(tls=tls, namespaces=("qinling",)) as kube, RabbitVhost() as vhost:
        conf_file = write_conf(
            tmp_path, f"[engine]\norchestrator = kubernetes\n[kubernetes]\n"
                      f"kube_host = {kube.url}\nssl_ca_cert = {tls.ca_cert}\n"
                      f"cert_file = {tls.client_cert}\nkey_file = {tls.client_key}\n"
                      f"[etcd]\nport = {plain_etcd.port}\n", vhost.transport_url)
        service = subprocess.Popen([COMMAND, "--config-file", conf_file], cwd=tmp_path,
                                   env={**os.environ, "QINLING_READY_FILE": str(ready)},
                                   stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + DEADLINE
            while not ready.exists():  # nothing else tells: poll the file until the deadline
                assert service.poll() is None, service.stderr.read()
                assert time.monotonic() < deadline, "the service never became ready"
                time.sleep(0.1)
        finally:
            service.terminate()
            service.communicate(timeout=DEADLINE)
        assert ("GET", "/version/", {}) in kube.requests   # the start-up check asked
        kube.assert_all_valid()


def test_a_kubernetes_api_that_does_not_answer_ends_the_start_naming_the_host(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    status, stderr = start(tmp_path, f"[engine]\norchestrator = kubernetes\n[kubernetes]\n"
                                     f"kube_host = {url}\n")
    assert status == 1
    assert stderr[-1].startswith(f"qinling-execution: [kubernetes] kube_host = {url}: the "
                                 f"Kubernetes API does not answer (")
