"""qinling.conf -> the database of each service: its own, or one the services share; a
service's option it cannot start with ends it with one line."""
import pytest

from qinling_nameko import service_main
from qinling_shared import config
from qinling_shared.config_checks import ConfigError


@pytest.mark.parametrize("connection, url, table", [
    ("postgresql://q@db/qinling_{service}", "postgresql+psycopg://q@db/qinling_trigger",
     "alembic_version"),
    ("postgresql://q@db/qinling", "postgresql+psycopg://q@db/qinling",
     "alembic_version_trigger"),
    ("mysql+pymysql://q:pw@db/qinling", "mysql+pymysql://q:pw@db/qinling",
     "alembic_version_trigger"),
    ("mysql://q:pw@db/qinling", "mysql+pymysql://q:pw@db/qinling", "alembic_version_trigger"),
    ("mariadb://q:pw@db/qinling_{service}", "mariadb+pymysql://q:pw@db/qinling_trigger",
     "alembic_version"),
])
def test_each_service_keeps_its_own_alembic_version_in_a_shared_database(
        tmp_path, connection, url, table):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(f"[database]\nconnection = {connection}\n")
    conf = config.load(["--config-file", str(conf_file)])
    nameko = service_main.nameko_config(conf, "trigger")
    assert (nameko["DATABASE_URL"], nameko["DATABASE_VERSION_TABLE"]) == (url, table)


def test_a_config_error_of_the_service_ends_it_with_one_line_naming_the_option():
    def extra_config(conf):
        raise ConfigError("[etcd] cert_file = /x.crt: no such file.")
    with pytest.raises(SystemExit) as exit:
        service_main.main("execution", lambda: [], extra_config, argv=[])
    assert exit.value.code == "qinling-execution: [etcd] cert_file = /x.crt: no such file."


def test_the_services_own_config_is_added_when_it_passes():
    assert service_main.checked("execution", lambda conf: {"ETCD": conf}, "c") == {"ETCD": "c"}
