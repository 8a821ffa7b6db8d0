"""``qinling-api [--config-file ...]``: run the REST gateway."""
import logging
import sys

from qinling_api import http_server, identity
from qinling_api.app import create_app
from qinling_api.settings import Settings
from qinling_shared import config
from qinling_shared.config_checks import ConfigError

ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'


def setup_logging():
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s api %(levelname)s %(name)s: %(message)s")
    for noisy in ("aio_pika", "aiormq"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv=None):
    conf = config.load(sys.argv[1:] if argv is None else argv)
    setup_logging()
    try:
        settings = Settings.from_conf(conf)
    except ConfigError as error:
        raise SystemExit(f"qinling-api: {error}") from None
    http_server.run(create_app(settings, identity=identity.from_conf(conf)),
                    settings.api_host, settings.api_port, access_log_format=ACCESS_LOG_FORMAT)


if __name__ == "__main__":
    main()
