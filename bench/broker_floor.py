"""The floor under a notification's trip: publish-to-consume latency on the platform's own
RabbitMQ vhost, with nothing of Qinling in between.

A kombu consumer (its own connection and thread, waiting on the broker as the trigger
service's consumer does) on a queue bound to a topic exchange with ``notifications.*``; a
publisher sends one message at a time and waits for it to arrive. Latency = consume time -
publish time, both ``time.time()`` of this process. The publisher is either kombu itself or
oslo.messaging's ``Notifier`` (``messagingv2``), as an OpenStack service publishes.
"""
import json
import threading
import time
import uuid
import warnings

from kombu import Connection, Exchange, Queue

from qinling_shared.config import amqp_uri

ROUTING_KEY = "notifications.*"
WAIT_SECONDS = 10


def sent_time(body):
    """The publish time a floor message carries: ``body["sent"]``, or the ``payload["sent"]``
    of an oslo.messaging v2 envelope."""
    if isinstance(body, (bytes, str)):
        body = json.loads(body)
    if "oslo.message" in body:
        return json.loads(body["oslo.message"])["payload"]["sent"]
    return body["sent"]


class FloorConsumer:
    """A consumer thread on ``exchange_name`` (topic, not durable, as oslo.messaging declares
    a control exchange); ``wait()`` returns the latency of the next message."""

    def __init__(self, transport_url, exchange_name):
        self.uri = amqp_uri(transport_url)
        self.exchange = Exchange(exchange_name, type="topic", durable=False)
        self.queue = Queue(f"bench-floor-{uuid.uuid4().hex[:8]}", self.exchange,
                           routing_key=ROUTING_KEY, durable=False, auto_delete=True)
        self.latencies = []
        self.arrived = threading.Semaphore(0)
        self.ready = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._consume, daemon=True)

    def _on_message(self, body, message):
        received = time.time()
        self.latencies.append(received - sent_time(body))
        message.ack()
        self.arrived.release()

    def _consume(self):
        with Connection(self.uri) as connection:
            with connection.Consumer(self.queue, callbacks=[self._on_message],
                                     accept=["json"]):
                self.ready.set()
                while not self.stopping.is_set():
                    try:
                        connection.drain_events(timeout=0.2)
                    except TimeoutError:
                        pass

    def __enter__(self):
        self.thread.start()
        if not self.ready.wait(WAIT_SECONDS):
            raise RuntimeError("the floor consumer did not start")
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        self.thread.join(WAIT_SECONDS)

    def wait(self):
        if not self.arrived.acquire(timeout=WAIT_SECONDS):
            raise RuntimeError("a floor message did not arrive")
        return self.latencies[-1]


def kombu_floor(transport_url, count, warmup=10):
    """Seconds from a kombu publish to its consumption, ``count`` messages one at a time."""
    with FloorConsumer(transport_url, "bench-kombu-floor") as consumer, \
            Connection(amqp_uri(transport_url)) as connection:
        producer = connection.Producer(exchange=consumer.exchange, serializer="json")
        times = []
        for number in range(warmup + count):
            producer.publish({"n": number, "sent": time.time()},
                             routing_key="notifications.info")
            times.append(consumer.wait())
    return times[warmup:]


def notifier(transport_url, exchange, publisher_id="compute.bench"):
    """``(Notifier, transport)``: oslo.messaging's ``messagingv2`` notifier on the topic
    ``notifications`` of control exchange ``exchange``, as a service configured with
    ``control_exchange = <exchange>`` publishes. Close the transport with ``cleanup()``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eventlet's and oslo's deprecation notices
        import oslo_messaging
        from oslo_config import cfg
    oslo_messaging.set_transport_defaults(control_exchange=exchange)
    transport = oslo_messaging.get_notification_transport(cfg.ConfigOpts(), url=transport_url)
    return oslo_messaging.Notifier(transport, publisher_id=publisher_id, driver="messagingv2",
                                   topics=["notifications"]), transport


def notifier_floor(transport_url, count, warmup=10):
    """Seconds from a ``Notifier.info`` call to the notification's consumption by kombu."""
    with FloorConsumer(transport_url, "bench-notifier-floor") as consumer:
        publisher, transport = notifier(transport_url, "bench-notifier-floor")
        try:
            times = []
            for number in range(warmup + count):
                publisher.info({"project_id": "bench"}, "bench.floor",
                               {"n": number, "sent": time.time()})
                times.append(consumer.wait())
        finally:
            transport.cleanup()
    return times[warmup:]
