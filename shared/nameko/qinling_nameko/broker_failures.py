"""What every Qinling service does when its broker fails: a RabbitMQ restart, a dropped
connection, an ack on a channel that died. :func:`install` applies it once to nameko 2.14's
own classes (the runner calls it before any container starts), so every consumer and every
publisher of every service gets it, whatever extension declared it.

What nameko 2.14 does, and what a service does here instead (issue #9, D9):

- **An ack or requeue on a connection that died** raises ``ConnectionResetError`` (nameko only
  catches amqp's own ``ConnectionError``) inside the Nameko worker's result handling, and an
  error there kills the container. Here it is dropped with a log line: the broker took the
  message back when the connection closed, and delivers it again.
- **A consumer that lost its connection** reconnects after 2, 4, 6, ... s (up to 30 s between
  tries). Here it tries every :data:`RECONNECT` interval (at most 1 s), and re-declares its
  queues and bindings on each reconnect (kombu declares a consumer's queues when it
  consumes), so queues a restart deleted come back.
- **An RPC call waiting for its reply when the connection dies** waits for ever: nameko 2.14's
  proxies have no timeout. Here it raises the wire error ``Unavailable`` at once.
- **A publish** (an RPC request, a reply, an event, a queued execution) retries 3 times in about
  3 s (and kombu gives up reconnecting after 5 s), less than a broker restart; a reply that
  still fails kills the container. Here every publish retries across reconnects for
  :data:`PUBLISH_RETRY_POLICY` and :data:`PUBLISH_RECONNECT_TIMEOUT` (about 20 s); then it
  raises ``Unavailable``, and a reply is dropped with a log line (its caller gives up on it
  by its own timeout). A publish retried after a lost confirm may reach the broker twice:
  every consumer of a Qinling queue is idempotent (see each service's README).

Anything else that kills a container still does: the runner then exits non-zero, and
whatever supervises the process (``scripts/respawn`` under ``make run``) starts it again.
"""
import logging
from contextlib import contextmanager

import amqp
import eventlet
import kombu.exceptions
from nameko.amqp import publish
from nameko.messaging import QueueConsumer
from nameko.rpc import ReplyListener, Responder

from qinling_shared.exceptions import Unavailable

LOG = logging.getLogger(__name__)

RECONNECT = {"interval_start": 0.2, "interval_step": 0.4, "interval_max": 1.0}
PUBLISH_RETRY_POLICY = {"max_retries": 20, **RECONNECT}   # about 20 s of tries
# kombu also bounds each reconnect by the connection's connect_timeout (5 s) unless told
# otherwise: a publish would give up during a broker restart that takes longer
PUBLISH_RECONNECT_TIMEOUT = 20.0
BROKER_ERRORS = (kombu.exceptions.OperationalError, kombu.exceptions.ChannelError,
                 *amqp.Connection.connection_errors, *amqp.Connection.channel_errors)
REPLY_LOST = "The connection to the message broker was lost while waiting for a reply."


def install():
    """Apply this module's behaviour to nameko's classes (idempotent)."""
    QueueConsumer.ack_message = ack_message
    QueueConsumer.requeue_message = requeue_message
    QueueConsumer.establish_connection = establish_connection
    QueueConsumer.run = run
    publish.Publisher.retry_policy = PUBLISH_RETRY_POLICY
    publish.Publisher.transport_options = {
        **publish.Publisher.transport_options, "max_retries": PUBLISH_RETRY_POLICY["max_retries"],
        "connect_retries_timeout": PUBLISH_RECONNECT_TIMEOUT, **RECONNECT}
    if not getattr(publish.Publisher.publish, "raises_unavailable", False):
        publish.Publisher.publish = _unavailable_on_broker_errors(publish.Publisher.publish)
    Responder.publisher_cls = ReplyPublisher


# -- consumers (methods of nameko's QueueConsumer) ----------------------------------------


def ack_message(self, message):
    """Ack, or drop the ack when the message's connection is gone."""
    _settle(message, message.ack, "ack")


def requeue_message(self, message):
    """Requeue, or drop the requeue when the message's connection is gone."""
    _settle(message, message.requeue, "requeue")


def _settle(message, settle, what):
    if message.channel.connection:  # a closed channel has none: nothing to tell the broker
        try:
            settle()
            return
        except BROKER_ERRORS as exc:
            reason = repr(exc)
    else:
        reason = "channel closed"
    LOG.warning("dropped the %s of a message of %s (%s): the broker delivers it again",
                what, message.delivery_info.get("routing_key"), reason)


@contextmanager
def establish_connection(self):
    """kombu's, with :data:`RECONNECT`'s short intervals between tries."""
    with self.create_connection() as connection:
        connection.ensure_connection(self.on_connection_error, self.connect_max_retries,
                                     **RECONNECT)
        yield connection


def run(self, _tokens=1, **kwargs):
    """kombu's consume loop, which reconnects after a broker error; here a lost connection
    also fails the RPC calls waiting for replies on it, and says so once."""
    errors = self.connection.connection_errors + self.connection.channel_errors
    while not self.should_stop:
        try:
            if self.restart_limit.can_consume(_tokens):
                for _ in self.consume(limit=None, **kwargs):
                    pass
            else:
                eventlet.sleep(self.restart_limit.expected_time(_tokens))
        except errors as exc:
            if self.should_stop:
                break
            failed = fail_pending_replies(self._providers, exc)
            LOG.warning("lost the broker connection of %s (%r): %d RPC calls waiting for a "
                        "reply failed; reconnecting", type(self).__name__, exc, failed)


def fail_pending_replies(providers, exc):
    """Raise ``Unavailable`` in every RPC call waiting for a reply through one of
    ``providers`` (the reply listeners among them); the number of calls failed."""
    failed = 0
    for provider in list(providers):
        if not isinstance(provider, ReplyListener):
            continue
        pending, provider._reply_events = provider._reply_events, {}
        for event in pending.values():
            if not event.ready():
                event.send_exception(Unavailable(REPLY_LOST))
                failed += 1
    return failed


# -- publishers ---------------------------------------------------------------------------


def _unavailable_on_broker_errors(publish_method):
    def publish_or_unavailable(self, payload, **kwargs):
        # nameko sets confirm_publish on the class's shared dict: give each publish its own
        kwargs.setdefault("transport_options", dict(self.transport_options))
        try:
            return publish_method(self, payload, **kwargs)
        except BROKER_ERRORS as exc:
            raise Unavailable(f"The message broker is unavailable: {exc}") from exc

    publish_or_unavailable.raises_unavailable = True
    publish_or_unavailable.__doc__ = publish_method.__doc__
    return publish_or_unavailable


class ReplyPublisher(publish.Publisher):
    """Publishes RPC replies without waiting for the broker's confirm: the caller waits for
    the reply under its own timeout, so a confirm would only add a broker round trip to every
    call (and a reply lost by the broker costs that timeout either way). A reply the broker
    cannot take is dropped with a log line, never raised into the container. Replies stay
    persistent (nameko's default) and reply queues are durable (nameko's, and the gateway's):
    a reply sent while its caller reconnects, or just before the broker restarts, waits there
    for it."""

    use_confirms = False

    def publish(self, payload, **kwargs):
        try:
            super().publish(payload, **kwargs)
        except Unavailable as exc:
            LOG.warning("dropped the reply to %s: %s", kwargs.get("routing_key"), exc)
