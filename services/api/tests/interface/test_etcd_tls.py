"""The gateway and an etcd over TLS with client certificates: ``/healthz`` reaches it with the
[etcd] CA and client certificate (and is turned away without the certificate), and
``qinling-api`` refuses to start, naming the option, when one of those files is missing."""
import dataclasses
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from qinling_api import health
from qinling_api.settings import Settings
from qinling_shared import config
from qinling_testing.etcd import EtcdServer

COMMAND = Path(sys.executable).parent / "qinling-api"


@pytest.fixture(scope="module")
def tls_etcd():
    with EtcdServer(tls=True) as server:
        yield server


def settings_of(tmp_path, etcd_section):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text("[etcd]\n" + "".join(f"{k} = {v}\n" for k, v in etcd_section.items()))
    return Settings.from_conf(config.load(["--config-file", str(conf_file)],
                                          default_config_files=[]))


async def test_health_reaches_the_tls_etcd_with_the_client_certificate(tmp_path, tls_etcd):
    settings = settings_of(tmp_path, tls_etcd.conf_options())
    assert settings.etcd_url == tls_etcd.url and tls_etcd.url.startswith("https://")
    without_certificate = dataclasses.replace(settings, etcd_cert_file=None, etcd_cert_key=None)
    async with aiohttp.ClientSession() as session:
        assert await health.etcd(session, settings.etcd_url, health.etcd_ssl(settings)) == {
            "status": "ok"}
        assert await health.etcd(session, settings.etcd_url,
                                 health.etcd_ssl(without_certificate)) == {
            "status": "unavailable", "error": f"etcd does not answer at {tls_etcd.url}."}


def test_the_gateway_refuses_to_start_without_the_etcd_ca(tmp_path):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(f"[etcd]\nprotocol = https\nca_cert = {tmp_path}/ca.crt\n")
    done = subprocess.run([COMMAND, "--config-file", conf_file], capture_output=True,
                          text=True, timeout=60)
    assert (done.returncode, done.stderr.strip().splitlines()[-1]) == (
        1, f"qinling-api: [etcd] ca_cert = {tmp_path}/ca.crt: no such file.")
