"""qinling.conf: the committed sample matches the options, and files override defaults."""
import subprocess
import sys
from pathlib import Path

import pytest

from qinling_shared import config

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "etc" / "qinling.conf.sample"


def test_committed_sample_matches_the_options(tmp_path):
    generated = tmp_path / "qinling.conf.sample"
    generator = Path(sys.executable).parent / "oslo-config-generator"
    subprocess.run([generator, "--config-file", REPO / "etc/oslo-config-generator/qinling.conf",
                    "--output-file", generated], check=True, capture_output=True)
    assert SAMPLE.exists(), f"{SAMPLE} is missing: run make sample-config"
    assert generated.read_text() == SAMPLE.read_text(), \
        "etc/qinling.conf.sample is stale: run make sample-config"


def test_loads_without_a_file():
    conf = config.load([])
    assert conf.api.port == 7070
    assert conf.storage.http_port == 7071
    assert conf.state_path == "var"
    assert conf.etcd.port == 2379


def test_config_file_overrides_defaults(tmp_path):
    path = tmp_path / "qinling.conf"
    path.write_text("[DEFAULT]\ntransport_url = rabbit://u:p@broker:5673/qinling\n"
                    "state_path = /srv/qinling\n[api]\nport = 9090\n[etcd]\nhost = etcd.local\n")
    conf = config.load(["--config-file", str(path)])
    assert conf.api.port == 9090
    assert conf.state_path == "/srv/qinling"
    assert conf.etcd.host == "etcd.local"
    assert conf.storage.http_port == 7071  # untouched options keep their defaults
    assert config.amqp_uri(conf.transport_url) == "amqp://u:p@broker:5673/qinling"


def test_later_config_files_win(tmp_path):
    first, second = tmp_path / "a.conf", tmp_path / "b.conf"
    first.write_text("[api]\nport = 8001\nhost = 0.0.0.0\n")
    second.write_text("[api]\nport = 8002\n")
    conf = config.load(["--config-file", str(first), "--config-file", str(second)])
    assert (conf.api.host, conf.api.port) == ("0.0.0.0", 8002)


def test_an_invalid_value_is_refused(tmp_path):
    path = tmp_path / "qinling.conf"
    path.write_text("[api]\nport = not-a-port\n")
    conf = config.load(["--config-file", str(path)])
    with pytest.raises(ValueError):
        conf.api.port


def test_a_config_dir_overrides_the_file_as_kolla_merges_them(tmp_path):
    """Kolla mounts qinling.conf and a directory of per-service overrides (``*.conf``, read
    in name order after the files)."""
    main = tmp_path / "qinling.conf"
    main.write_text("[api]\nport = 8001\nhost = 0.0.0.0\n[engine]\npool_size = 4\n")
    overrides = tmp_path / "qinling-api.conf.d"
    overrides.mkdir()
    (overrides / "10-port.conf").write_text("[api]\nport = 8002\n")
    (overrides / "20-port.conf").write_text("[api]\nport = 8003\n")
    (overrides / "ignored.txt").write_text("[api]\nport = 1\n")
    conf = config.load(["--config-file", str(main), "--config-dir", str(overrides)])
    assert (conf.api.host, conf.api.port, conf.engine.pool_size) == ("0.0.0.0", 8003, 4)


@pytest.mark.parametrize("transport_url, uri", [
    ("rabbit://u:p@h:5672/", "amqp://u:p@h:5672/"),
    ("rabbit://u:p@h1:5672,u:p@h2:5672/vhost",
     "amqp://u:p@h1:5672/vhost;amqp://u:p@h2:5672/vhost"),
    ("amqp://guest:guest@127.0.0.1:5672/", "amqp://guest:guest@127.0.0.1:5672/"),
])
def test_amqp_uri(transport_url, uri):
    assert config.amqp_uri(transport_url) == uri
    assert config.split_uri(uri) == config.amqp_uris(transport_url)
