import pytest

from qinling_api.settings import Settings
from qinling_shared import config
from qinling_shared.config_checks import ConfigError


def test_settings_from_qinling_conf(tmp_path):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(
        "[DEFAULT]\ntransport_url = rabbit://u:p@mq:5673/vh\nrpc_response_timeout = 30\n"
        "qinling_endpoint = http://faas:7070/\n"
        "[api]\nhost = 0.0.0.0\nport = 8080\n"
        "[storage]\nurl = http://store:7071/\n"
        "[etcd]\nhost = etcd1\nport = 2380\n"
        "[resource_limits]\nmax_timeout = 120\n")
    conf = config.load(["--config-file", str(conf_file)], default_config_files=[])
    settings = Settings.from_conf(conf)
    assert settings == Settings(
        api_host="0.0.0.0", api_port=8080, amqp_uri="amqp://u:p@mq:5673/vh",
        rpc_response_timeout=30.0, storage_url="http://store:7071",
        qinling_endpoint="http://faas:7070", etcd_url="http://etcd1:2380", max_timeout=120)
    assert settings.sync_execution_timeout == 150.0


def test_defaults_match_the_sample_config():
    assert Settings.from_conf(config.load([], default_config_files=[])) == Settings()


def test_etcd_tls_settings_from_qinling_conf(tmp_path):
    for name in ("ca.crt", "q.crt", "q.key"):
        (tmp_path / name).write_text("pem")
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(f"[etcd]\nhost = etcd1\nport = 2379\nprotocol = https\n"
                         f"ca_cert = {tmp_path}/ca.crt\ncert_file = {tmp_path}/q.crt\n"
                         f"cert_key = {tmp_path}/q.key\n")
    settings = Settings.from_conf(config.load(["--config-file", str(conf_file)],
                                              default_config_files=[]))
    assert (settings.etcd_url, settings.etcd_ca_cert, settings.etcd_cert_file,
            settings.etcd_cert_key) == ("https://etcd1:2379", f"{tmp_path}/ca.crt",
                                        f"{tmp_path}/q.crt", f"{tmp_path}/q.key")


def test_a_missing_etcd_client_key_is_refused(tmp_path):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(f"[etcd]\nprotocol = https\ncert_file = {tmp_path}/q.crt\n"
                         f"cert_key = {tmp_path}/q.key\n")
    with pytest.raises(ConfigError, match=r"^\[etcd\] cert_file = .*/q.crt: no such file"):
        Settings.from_conf(config.load(["--config-file", str(conf_file)],
                                       default_config_files=[]))
