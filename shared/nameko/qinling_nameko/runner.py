"""Run Nameko services in this process until SIGTERM or Ctrl-C, as ``nameko run`` does.

Call ``eventlet.monkey_patch()`` before importing anything else in the ``__main__``.
"""
import logging
import signal
import sys

import eventlet
from nameko.amqp.publish import Publisher
from nameko.rpc import Responder
from nameko.runners import ServiceRunner

LOG = logging.getLogger(__name__)


def setup_logging(name, debug=False):
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO, stream=sys.stderr,
        format=f"%(asctime)s {name} %(levelname)s %(name)s: %(message)s")
    for noisy in ("kombu", "amqp", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class ReplyPublisher(Publisher):
    """Publishes RPC replies without waiting for the broker's confirm: the caller waits for
    the reply under its own timeout, so a confirm would only add a broker round trip to every
    call (and a reply lost by the broker costs that timeout either way)."""

    use_confirms = False


def run(service_classes, nameko_config):
    Responder.publisher_cls = ReplyPublisher
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
    runnlet = eventlet.spawn(runner.wait)
    while True:
        try:
            runnlet.wait()
            break
        except OSError:  # EINTR from a signal while eventlet waits
            continue
        except KeyboardInterrupt:
            runner.stop()
    LOG.info("stopped")
