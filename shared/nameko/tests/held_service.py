"""A tiny nameko service for the broker-failure tests, run as a subprocess through
``qinling_nameko.runner`` (so with ``broker_failures`` installed); it exits with the runner's
status.

    python held_service.py <amqp uri> <folder>

``hold(name)`` touches ``<folder>/<name>.arrived`` and returns once ``<folder>/<name>.release``
exists: a request the test can keep in flight while it cuts the connection.
"""
import eventlet

eventlet.monkey_patch()

import pathlib  # noqa: E402
import sys  # noqa: E402

from qinling_nameko import runner  # noqa: E402
from qinling_nameko.rpc import rpc  # noqa: E402


class Held:
    name = "held"
    folder = None

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def hold(self, name):
        (self.folder / f"{name}.arrived").touch()
        while not (self.folder / f"{name}.release").exists():
            eventlet.sleep(0.05)
        return name


if __name__ == "__main__":
    Held.folder = pathlib.Path(sys.argv[2])
    runner.setup_logging("held")
    sys.exit(runner.run([Held], {"AMQP_URI": sys.argv[1]}))
