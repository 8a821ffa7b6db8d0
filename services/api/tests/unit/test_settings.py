from qinling_api.settings import Settings
from qinling_shared import config


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
