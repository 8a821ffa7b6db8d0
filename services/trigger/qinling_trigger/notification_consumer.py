"""The consumer of OpenStack notifications, as Nameko extensions.

The trigger service reads notifications from its own durable queue (never from the queues
oslo.messaging's listeners declare), bound to each exchange an event trigger names as
oslo.messaging declares it: topic type, ``durable`` = oslo's ``amqp_durable_queues``
(default false), routing key ``<topic>.*``. Every replica consumes the same queue, so each
notification reaches one replica. The bindings change at run time (``NotificationBindings``
applies what the event triggers need), and every (re)connection declares them all again: a
restarted broker forgets the bindings of its non-durable exchanges.

A message is acked once its handler returned (its executions are durably accepted, or it
was dropped); when the handler raises, it is requeued after ``REDELIVERY_DELAY`` seconds and
handled again (submits are idempotent). Bodies are handed over undecoded: a malformed one is
the handler's to drop and never stops the consumer.
"""
import logging
from contextlib import contextmanager
from functools import partial

import eventlet
from eventlet.event import Event
from eventlet.semaphore import Semaphore
from kombu import Connection, Exchange, Queue, binding
from kombu.mixins import ConsumerMixin
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import (DependencyProvider, Entrypoint, ProviderCollector,
                               SharedExtension)

LOG = logging.getLogger(__name__)
CONFIG_KEY = "NOTIFICATIONS"
DEFAULT_QUEUE = "qinling-trigger-notifications"
HEARTBEAT = 60
REDELIVERY_DELAY = 1.0   # seconds before a message whose handler failed is requeued
# reconnection attempts: 0.2 s after the loss, then every 0.5 s more, at most every 2 s
# (kombu's default starts at 2 s and backs off to 30 s: notifications would be lost longer)
RECONNECT = {"interval_start": 0.2, "interval_step": 0.5, "interval_max": 2.0}


class NotificationConsumer(SharedExtension, ProviderCollector, ConsumerMixin):
    """One connection, one queue, one consumer per container (kombu's ``ConsumerMixin``
    reconnects by itself). Config key ``NOTIFICATIONS``: ``transport_url`` (default the
    service's ``AMQP_URI``), ``queue``, ``durable_exchanges``."""

    def __init__(self):
        super().__init__()
        self.bindings = {}      # (exchange, routing key) -> kombu binding
        self.lock = Semaphore()
        self.ready = Event()
        self.thread = None

    def setup(self):
        settings = self.container.config.get(CONFIG_KEY) or {}
        self.url = settings.get("transport_url") or self.container.config[AMQP_URI_CONFIG_KEY]
        self.durable_exchanges = bool(settings.get("durable_exchanges", False))
        self.queue = Queue(settings.get("queue") or DEFAULT_QUEUE, durable=True,
                           auto_delete=False)

    def start(self):
        if self.thread is None:
            self.thread = self.container.spawn_managed_thread(self.run)
        self.ready.wait()

    def stop(self):
        self.wait_for_providers()
        self.should_stop = True
        if self.thread is not None:
            self.thread.wait()

    def kill(self):
        self.should_stop = True
        if self.thread is not None:
            self.thread.kill()

    def unregister_provider(self, provider):
        super().unregister_provider(provider)
        if not self._providers:
            self.should_stop = True

    # -- kombu's ConsumerMixin ------------------------------------------------------------

    @property
    def connection(self):
        return Connection(self.url, heartbeat=HEARTBEAT)

    @contextmanager
    def establish_connection(self):
        with self.create_connection() as connection:
            connection.ensure_connection(self.on_connection_error, **RECONNECT)
            yield connection

    def get_consumers(self, consumer_cls, channel):
        """Called at each (re)connection: the queue is declared with every binding."""
        self.queue.bindings = set(self.bindings.values())
        return [consumer_cls(queues=[self.queue], on_message=self.on_message,
                             prefetch_count=self.container.max_workers)]

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        if not self.ready.ready():
            self.ready.send(None)

    def on_connection_error(self, exc, interval):
        LOG.warning("notifications: cannot reach the broker (%s), retrying in %s s", exc,
                    interval)

    def on_message(self, message):
        for provider in self._providers:
            self.container.spawn_managed_thread(partial(provider.handle_message, message))

    # -- bindings -------------------------------------------------------------------------

    def apply_bindings(self, load):
        """Bind the queue to every binding ``load()`` gives (``notification_matching``'s
        dicts: exchange, routing key...) and unbind those no longer wanted; the exchanges are
        declared as oslo.messaging declares them. ``load`` is called under the lock, so that
        a slow caller never applies what it read before a faster one's newer read. Returns
        the (exchange, routing key) pairs bound."""
        with self.lock:
            wanted = {(b["exchange"], b["routing_key"]): b for b in load()}
            added = wanted.keys() - self.bindings.keys()
            removed = self.bindings.keys() - wanted.keys()
            if added or removed:
                self.rebind({key: wanted[key] for key in added}, removed)
            return sorted(self.bindings)

    def rebind(self, added, removed):
        with Connection(self.url, heartbeat=HEARTBEAT) as connection:
            channel = connection.default_channel
            self.queue(channel).declare()
            for (exchange, routing_key), wanted in added.items():
                kombu_binding = binding(Exchange(
                    exchange, type=wanted["exchange_type"], auto_delete=wanted["auto_delete"],
                    durable=self.durable_exchanges), routing_key=routing_key)
                kombu_binding.declare(channel)
                kombu_binding.bind(self.queue(channel))
                self.bindings[(exchange, routing_key)] = kombu_binding
            for exchange, routing_key in removed:
                channel.queue_unbind(self.queue.name, exchange, routing_key)
                del self.bindings[(exchange, routing_key)]
        LOG.info("notifications: bound %s, unbound %s", sorted(added), sorted(removed))


class NotificationHandler(Entrypoint):
    """``@notification``: the method receives ``(body, exchange, routing_key)`` of each
    message, the body as raw bytes."""

    consumer = NotificationConsumer()

    def setup(self):
        self.consumer.register_provider(self)

    def stop(self):
        self.consumer.unregister_provider(self)

    def handle_message(self, message):
        info = message.delivery_info
        args = (message.body, info.get("exchange", ""), info.get("routing_key", ""))
        self.container.spawn_worker(self, args, {},
                                    handle_result=partial(self.handle_result, message))

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None:
            LOG.warning("notifications: handling failed, redelivering in %s s",
                        REDELIVERY_DELAY, exc_info=exc_info)
            eventlet.sleep(REDELIVERY_DELAY)
        if message.channel.connection:   # else the broker has taken the message back
            try:
                message.ack() if exc_info is None else message.requeue()
            except ConnectionError:
                pass   # the connection closed meanwhile: the broker redelivers it
        return result, exc_info


notification = NotificationHandler.decorator


class NotificationBindings(DependencyProvider):
    """``apply(load)``: what ``NotificationConsumer.apply_bindings`` does, from a worker."""

    consumer = NotificationConsumer()

    def get_dependency(self, worker_ctx):
        return self.consumer.apply_bindings
