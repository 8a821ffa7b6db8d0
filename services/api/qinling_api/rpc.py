"""A native asyncio client for Nameko's AMQP RPC and event protocol (aio-pika, no eventlet).

Wire format (nameko 2.14's ``nameko/rpc.py``): a request goes to the topic exchange
``nameko-rpc`` with routing key ``<service>.<method>``, body ``{"args", "kwargs"}``, context
data as headers ``nameko.<key>``, and ``reply_to`` = a routing key bound to our reply queue on
the same exchange. The reply body is ``{"result", "error"}``. Events go to ``<service>.events``.

Every request carries its start-by time (``qinling_shared.start_by``): it expires in the
broker at that time, and a service refuses to start one it is handed later. A request may wait
to start ``start_window`` seconds, at most half of its call's timeout; a request that started
in time has the rest of the timeout to answer.

Failure semantics, all raised as ``Unavailable`` (HTTP 503) unless stated:
- nothing published, so nothing runs: not connected to the broker; no queue for the service
  (a probe, or the mandatory publish returned): "Service 'x' is not running."; nobody
  consumes the queue (``consumers``: probed at most every ``probe_interval``);
- published: the call waits for the reply through the loss of the service's consumer and
  through a broker reconnect or restart, until the call's timeout: "did not answer within".
  The reply queue is durable (it expires after 5 minutes unused): it outlives this client's
  connection and a broker restart, so a reply sent while this client reconnects waits there
  for it; a reply is acked once read, so one delivered as the connection died is delivered
  again. By then the request can no longer start; if it
  started before and its replica died, it may have taken effect (see docs/architecture.md);
- a wire error from the service is re-raised as itself; any other remote error is a
  ``RemoteError`` (HTTP 500, never shown to users).
TCP_NODELAY: asyncio sets it on every TCP transport, so aiormq's broker socket has it.
"""
import asyncio
import json
import logging
import time
import uuid

import aio_pika
from aio_pika.exceptions import AMQPError, ChannelNotFoundEntity, DeliveryError, PublishError

from qinling_api.consumers import UNKNOWN, ConsumerCounts
from qinling_shared import config, queues, start_by
from qinling_shared.exceptions import Unavailable, from_wire

LOG = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"
WIRE_ERRORS_MODULE = "qinling_shared.exceptions"
BROKER_ERRORS = (AMQPError, ConnectionError, OSError, RuntimeError)
NOT_CONNECTED = "The message broker is unavailable."
REPLY_QUEUE_EXPIRES_MS = 300000   # a reply queue unused this long (its gateway gone) is deleted
CONNECTION_LOST = "Lost the connection to the message broker."


class RemoteError(Exception):
    """A service failed with an error that is not a wire error: a bug, HTTP 500."""

    def __init__(self, exc_type, value, exc_path=None):
        self.exc_type, self.value, self.exc_path = exc_type, value, exc_path
        super().__init__(f"{exc_type}: {value}")


def request_headers(context, call_id):
    """Nameko context data as AMQP headers; ``None`` values are not sent."""
    headers = {f"nameko.{key}": value for key, value in (context or {}).items()
               if value is not None}
    headers.setdefault("nameko.call_id_stack", [call_id])
    return headers


def decode_reply(body):
    """The result of a reply body, or the exception it carries."""
    try:
        reply = json.loads(body)
    except ValueError:
        raise RemoteError("MalformedReply", "The reply is not JSON.") from None
    error = reply.get("error")
    if not error:
        return reply.get("result")
    exc_type, value = error.get("exc_type"), error.get("value")
    if error.get("exc_path") == f"{WIRE_ERRORS_MODULE}.{exc_type}":
        wire_error = from_wire(exc_type, value)
        if wire_error is not None:
            raise wire_error
    raise RemoteError(exc_type, value, error.get("exc_path"))


def json_message(payload, **properties):
    return aio_pika.Message(body=json.dumps(payload).encode(), content_type="application/json",
                            content_encoding="utf-8", **properties)


class RpcClient:
    """One broker connection, one channel with publisher confirms, one reply queue."""

    def __init__(self, amqp_uri, *, timeout=60.0, probe_interval=1.0, reconnect_interval=1.0,
                 start_window=None, name="qinling-api"):
        """``start_window``: seconds a request may wait to start (default: half of
        ``timeout``); each call's is at most half of its own timeout."""
        self.amqp_uri, self.timeout, self.name = amqp_uri, timeout, name
        self.start_window = timeout * start_by.START_SHARE if start_window is None \
            else start_window
        self.probe_interval, self.reconnect_interval = probe_interval, reconnect_interval
        self._connection = self._channel = self._rpc_exchange = self._reply_queue = None
        self._reply_key = str(uuid.uuid4())
        self._pending = {}        # correlation id -> future of the reply body
        self.consumers = ConsumerCounts(self._probe, max_age=probe_interval)
        self._event_exchanges = {}
        self._starter = None

    @property
    def connected(self):
        return (self._rpc_exchange is not None and not self._connection.is_closed
                and self._connection.connected.is_set())

    async def connect(self):
        """Connect now to the first broker host that answers (raises if none does);
        reconnects on its own later."""
        for uri in config.split_uri(self.amqp_uri):
            try:
                self._connection = await aio_pika.connect_robust(
                    uri, reconnect_interval=self.reconnect_interval,
                    client_properties={"connection_name": f"{self.name}-{self._reply_key}"})
                break
            except BROKER_ERRORS as exc:
                LOG.warning("message broker host unreachable (%s)", exc)
                error = exc
        else:
            raise error
        self._connection.close_callbacks.add(self._on_connection_closed)
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(
            RPC_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(
            f"rpc.reply-{self.name}-{self._reply_key}", durable=True,
            arguments={"x-expires": REPLY_QUEUE_EXPIRES_MS})
        await queue.bind(exchange, routing_key=self._reply_key)
        await queue.consume(self._on_reply)  # acked once read: none lost in flight
        self._channel, self._rpc_exchange, self._reply_queue = channel, exchange, queue
        return self

    def start(self):
        """Connect in the background, retrying until the broker answers (for the app)."""
        self._starter = asyncio.get_running_loop().create_task(self._connect_until_done())

    async def _connect_until_done(self):
        while True:
            try:
                await self.connect()
                LOG.info("connected to the message broker")
                return
            except BROKER_ERRORS as exc:
                if self._connection is not None:
                    await self._connection.close()
                LOG.warning("message broker unreachable (%s); retrying in %s s",
                            exc, self.reconnect_interval)
                await asyncio.sleep(self.reconnect_interval)

    async def close(self):
        if self._starter is not None:
            self._starter.cancel()
            await asyncio.gather(self._starter, return_exceptions=True)
        if self._reply_queue is not None and self.connected:
            try:
                await self._reply_queue.delete(if_unused=False, if_empty=False)
            except BROKER_ERRORS as exc:   # it expires on its own
                LOG.debug("could not delete the reply queue: %r", exc)
        if self._connection is not None:
            await self._connection.close()
        self._fail_pending(Unavailable(CONNECTION_LOST))

    async def call(self, service, method, *args, context=None, timeout=None, **kwargs):
        """Call ``service.method(*args, **kwargs)`` and return its result."""
        timeout = self.timeout if timeout is None else timeout
        if not self.connected:
            raise Unavailable(NOT_CONNECTED)
        await self._require_consumer(service)
        window = start_by.window(timeout, self.start_window)
        correlation_id = str(uuid.uuid4())
        headers = request_headers(context, f"{self.name}.call.{correlation_id}")
        headers[start_by.HEADER] = start_by.stamp(time.time(), window)
        message = json_message(
            {"args": list(args), "kwargs": kwargs}, correlation_id=correlation_id,
            reply_to=self._reply_key, expiration=window,
            delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT, headers=headers)
        reply = asyncio.get_running_loop().create_future()
        self._pending[correlation_id] = reply
        try:
            async with asyncio.timeout(timeout):
                await self._publish_request(service, method, message)
                body = await self._wait_for_reply(service, reply)
        except TimeoutError:
            raise Unavailable(
                f"Service '{service}' did not answer within {timeout:g} s.") from None
        finally:
            self._pending.pop(correlation_id, None)
        return decode_reply(body)

    async def _require_consumer(self, service):
        """Refuse a call at once, before anything is published, when nobody consumes the
        service's queue (or it has none)."""
        queue = queues.rpc_queue(service)
        consumers = await self.consumers.current(queue)
        if consumers is None:
            raise Unavailable(f"Service '{service}' is not running.")
        if consumers == 0:
            raise Unavailable(f"Service '{service}' is unavailable: no consumer on queue "
                              f"{queue}.")

    async def _publish_request(self, service, method, message):
        """Publish, confirmed. A returned or refused request was not queued: 503 at once.
        A broker error mid-publish leaves it unknown whether the request was queued: the call
        then waits for a reply as if it had been (it expires at its start-by if not)."""
        try:
            await self._rpc_exchange.publish(message, routing_key=f"{service}.{method}",
                                             mandatory=True)
        except PublishError:
            raise Unavailable(f"Service '{service}' is not running.") from None
        except DeliveryError:
            raise Unavailable("The message broker refused the request.") from None
        except BROKER_ERRORS as exc:
            LOG.warning("publishing to %s failed (%r): waiting for a reply anyway, the request "
                        "may have been queued", service, exc)

    async def _wait_for_reply(self, service, reply):
        """The reply body; meanwhile the service's consumer count is probed again every
        ``probe_interval``, so that new calls learn at once when it has none."""
        while True:
            done, _ = await asyncio.wait({reply}, timeout=self.probe_interval)
            if done:
                return reply.result()
            await self.consumers.refresh(queues.rpc_queue(service))

    async def _probe(self, queue):
        """Consumers of ``queue``, ``None`` if it does not exist, ``UNKNOWN`` if the probe
        failed."""
        try:
            async with asyncio.timeout(self.probe_interval):
                counts = await self.queue_counts(queue)
            return None if counts is None else counts[1]
        except (TimeoutError, Unavailable, *BROKER_ERRORS) as exc:
            LOG.debug("consumer probe of %s failed: %r", queue, exc)
            return UNKNOWN

    async def queue_counts(self, queue):
        """``(messages ready, consumers)`` of ``queue`` by a passive declare, on a channel of
        its own (a missing queue closes the channel); ``None`` when the queue does not exist.
        Broker errors are raised (``Unavailable`` when not connected)."""
        if not self.connected:
            raise Unavailable(NOT_CONNECTED)
        amqp = (await self._channel.get_underlay_channel()).connection
        channel = await amqp.channel(publisher_confirms=False)
        try:
            declared = await channel.queue_declare(queue, passive=True)
        except ChannelNotFoundEntity:
            self.consumers.keep(queue, None)
            return None
        finally:
            if not channel.is_closed:
                await channel.close()
        self.consumers.keep(queue, declared.consumer_count)
        return declared.message_count, declared.consumer_count

    async def dispatch(self, source_service, event_type, payload, context=None):
        """Publish a nameko event as if ``source_service`` had dispatched it."""
        if not self.connected:
            raise Unavailable(NOT_CONNECTED)
        exchange = self._event_exchanges.get(source_service)
        if exchange is None:
            exchange = await self._channel.declare_exchange(
                f"{source_service}.events", aio_pika.ExchangeType.TOPIC, durable=True)
            self._event_exchanges[source_service] = exchange
        message = json_message(payload, delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                               headers=request_headers(context, f"{self.name}.event"))
        try:
            await exchange.publish(message, routing_key=event_type, mandatory=False)
        except BROKER_ERRORS as exc:
            LOG.warning("dispatching %s.%s failed: %s", source_service, event_type, exc)
            raise Unavailable(NOT_CONNECTED) from None

    async def _on_reply(self, message):
        """A reply delivered as the connection dies is not acked, so the broker delivers it
        again after the reconnect (a second copy of one already read is dropped here)."""
        reply = self._pending.get(message.correlation_id)
        if reply is not None and not reply.done():
            reply.set_result(message.body)
        try:
            await message.ack()
        except (AMQPError, ConnectionError, RuntimeError) as exc:
            LOG.debug("reply %s not acked (%r): the broker delivers it again",
                      message.correlation_id, exc)

    def _on_connection_closed(self, _connection, exc):
        """Pending calls keep waiting: their replies wait in the durable reply queue until
        the connection comes back."""
        if self._pending:
            LOG.warning("broker connection closed (%r); %d calls keep waiting for replies",
                        exc, len(self._pending))

    def _fail_pending(self, error):
        for reply in self._pending.values():
            if not reply.done():
                reply.set_exception(error)
