"""``qinling-execution`` checks [etcd] and, with the kubernetes orchestrator, [kubernetes] at
start: a bad option ends it with status 1 and one last line naming the option, before it
connects to anything; good options lead on to what follows (today, with no kubernetes
driver yet, the unknown-orchestrator error)."""
import subprocess
import sys
from pathlib import Path

import pytest

from qinling_testing.rabbit import RabbitVhost

COMMAND = Path(sys.executable).parent / "qinling-execution"
DEADLINE = 60   # seconds a refused start may take (it takes about 2)


def start(tmp_path, lines, transport_url="rabbit://guest:guest@127.0.0.1:1/"):
    """Run the service on a qinling.conf of ``lines``; its exit status and stderr lines."""
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(f"[DEFAULT]\nstate_path = {tmp_path}/state\n"
                         f"transport_url = {transport_url}\n{lines}")
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


def test_good_kubernetes_options_lead_on_to_the_missing_driver(tmp_path, plain_etcd):
    """The check passes, the service starts, and its container dies as it did before the
    options existed: no kubernetes driver is registered yet."""
    pki = tmp_path / "pki"
    pki.mkdir()
    for name in ("ca.crt", "qinling.crt", "qinling.key"):
        (pki / name).write_text("pem")
    with RabbitVhost() as vhost:
        status, stderr = start(
            tmp_path, f"[engine]\norchestrator = kubernetes\n[kubernetes]\n"
                      f"kube_host = https://k8s.example.org:6443\nssl_ca_cert = {pki}/ca.crt\n"
                      f"cert_file = {pki}/qinling.crt\nkey_file = {pki}/qinling.key\n"
                      f"[etcd]\nport = {plain_etcd.port}\n", vhost.transport_url)
    assert status == 1
    assert stderr[-1] == ("qinling_shared.drivers.UnknownDriver: Unknown orchestrator "
                          "'kubernetes'; known: fake, local.")
    assert not any("[kubernetes]" in line for line in stderr)
