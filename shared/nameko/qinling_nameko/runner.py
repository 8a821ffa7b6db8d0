"""Run Nameko services in this process until SIGTERM or Ctrl-C, as ``nameko run`` does.

Call ``eventlet.monkey_patch()`` before importing anything else in the ``__main__``.
"""
import logging
import os
import signal
import sys

import eventlet
from nameko.runners import ServiceRunner

from qinling_nameko import broker_failures

LOG = logging.getLogger(__name__)


def setup_logging(name, debug=False):
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO, stream=sys.stderr,
        format=f"%(asctime)s {name} %(levelname)s %(name)s: %(message)s")
    for noisy in ("kombu", "amqp", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run(service_classes, nameko_config, ready_file=None):
    """Run the services until SIGTERM or Ctrl-C (exit status 0), or until one of their
    containers dies (1): a container that died serves nothing, so the process must end for
    its supervisor to start it again, never live on deaf. ``ready_file`` exists exactly while
    every service consumes (a container image's healthcheck tests it)."""
    _remove(ready_file)  # one left by an earlier run of this container
    broker_failures.install()
    runner = ServiceRunner(nameko_config)
    for cls in service_classes:
        runner.add_service(cls)

    def shutdown(signum, frame):
        # signal handlers run in the main loop and must not block: stop in a greenlet
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    LOG.info("started %s", ", ".join(runner.service_names))
    if ready_file:
        with open(ready_file, "w"):
            pass
    try:
        _wait(runner)
    except Exception as exc:  # noqa: B902 - whatever killed a container ends the process
        LOG.critical("a service container died (%s: %s); stopping %s and exiting with "
                     "status 1", type(exc).__name__, exc, ", ".join(runner.service_names))
        runner.kill()
        return 1
    finally:
        _remove(ready_file)
    LOG.info("stopped")
    return 0


def _remove(path):
    if path:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def _wait(runner):
    """Until the runner stops (Ctrl-C stops it); raises what killed a container."""
    runnlet = eventlet.spawn(runner.wait)
    while True:
        try:
            return runnlet.wait()
        except InterruptedError:  # EINTR from a signal while eventlet waits: wait again
            continue
        except KeyboardInterrupt:
            runner.stop()
