"""The edge of every Nameko service: qinling.conf -> nameko config dict -> run."""
import os
import sys

from qinling_shared import config
from qinling_shared.config_checks import ConfigError

from qinling_nameko import runner

# a URL without a driver: the one installed
DRIVERS = {"postgresql://": "postgresql+psycopg://", "mysql://": "mysql+pymysql://",
           "mariadb://": "mariadb+pymysql://"}
SERVICE = "{service}"   # in [database] connection: the service's own database
# the file that exists while the service consumes (the container images set it; their
# healthcheck tests it)
READY_FILE_VARIABLE = "QINLING_READY_FILE"


def nameko_config(conf, service):
    """What every service container needs; services add their own keys."""
    return {
        "AMQP_URI": config.amqp_uri(conf.transport_url),
        "max_workers": conf.service_workers,
        "parent_calls_tracked": 10,
        "serializer": "json",
        "DATABASE_URL": database_url(conf, service),
        "DATABASE_VERSION_TABLE": version_table(conf, service),
        "POLICY_FILE": config.policy_file(conf),
        "KEYSTONE": config.keystone_settings(conf),
    }


def main(service, load_classes, extra_config=lambda conf: {}, argv=None):
    """Parse the config, build the container config and run until stopped.

    ``load_classes`` is called after logging is set up so that imports happen after the
    caller's ``eventlet.monkey_patch()``. ``extra_config`` reads and checks the service's own
    options, raising ``qinling_shared.config_checks.ConfigError`` for one it cannot start with.
    """
    conf = config.load(sys.argv[1:] if argv is None else argv)
    runner.setup_logging(service)
    nameko_conf = nameko_config(conf, service)
    nameko_conf.update(checked(service, extra_config, conf))
    raise SystemExit(runner.run(load_classes(), nameko_conf,
                                ready_file=os.environ.get(READY_FILE_VARIABLE)))


def checked(service, extra_config, conf):
    """``extra_config(conf)``; a ``ConfigError`` it raises (an option the service cannot start
    with) ends the process with status 1 and one line on stderr naming the option."""
    try:
        return extra_config(conf)
    except ConfigError as error:
        raise SystemExit(f"qinling-{service}: {error}") from None


def version_table(conf, service):
    """Alembic's version table of a service: ``alembic_version`` in a database of its own
    (a connection with ``{service}``), ``alembic_version_<service>`` in one the services
    share (Kolla's single ``[database] connection``)."""
    return "alembic_version" if SERVICE in conf.database.connection \
        else f"alembic_version_{service}"


def database_url(conf, service):
    """The database of one service; relative SQLite paths resolve against the cwd."""
    url = conf.database.connection.replace(SERVICE, service)
    for bare, with_driver in DRIVERS.items():
        if url.startswith(bare):
            url = with_driver + url[len(bare):]
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        url = prefix + os.path.abspath(url[len(prefix):])
    return url
