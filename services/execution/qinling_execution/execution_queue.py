"""The execution queue: the durable RabbitMQ queue of asynchronous executions.

Layout (all durable, on the direct exchange ``qinling-executions``)::

    submit ──► queue qinling-executions-run  (key "run") ──► the consumer (``consumer``)
    retry  ──► queue qinling-executions-delay-<ms> (key "delay-<ms>", message TTL <ms>)
                  └─ expired messages are dead-lettered to key "run"

A message is ``{"execution_id": ..., "retries": n}``, persistent, published ``mandatory`` with
publisher confirms: :meth:`QueueHandle.submit` returns only once RabbitMQ has it on disk (or
raises ``Unavailable``). The consumer acks a message only after its handler returned, i.e. after
the outcome was committed; a message whose handler was cut short (the process died) is delivered
again. A retry waits in a delay queue, never in a sleeping Nameko worker. One delay queue per
level of ``RetryPolicy.levels()``, because RabbitMQ expires messages only at the head of a
queue.

Container config ``ASYNC_EXECUTIONS`` (every key optional): ``max_retries``, ``base_delay``,
``max_delay`` (a ``RetryPolicy``) and ``concurrency``: executions the consumer takes at once
(its prefetch; default half of ``max_workers``, so synchronous calls keep Nameko workers).
"""
import logging
from functools import partial

from kombu import Exchange, Queue
from kombu.common import maybe_declare
from nameko.amqp.publish import Publisher, get_connection
from nameko.constants import AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, LOGIN_METHOD_CONFIG_KEY
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer, QueueConsumer

from qinling_shared.exceptions import Unavailable
from qinling_shared.queues import EXECUTION_QUEUE

from qinling_execution import metrics
from qinling_execution.in_flight import InFlight
from qinling_execution.retries import RetryPolicy

LOG = logging.getLogger(__name__)

CONFIG_KEY = "ASYNC_EXECUTIONS"
POLICY_KEYS = ("max_retries", "base_delay", "max_delay")
EXCHANGE = Exchange("qinling-executions", type="direct", durable=True)
RUN_KEY = "run"
RUN_QUEUE = Queue(EXECUTION_QUEUE, exchange=EXCHANGE, routing_key=RUN_KEY,
                  durable=True)


def delay_queue(ms):
    """The queue where a retry waits ``ms`` milliseconds before it goes back to the run queue."""
    return Queue(f"qinling-executions-delay-{ms}", exchange=EXCHANGE, routing_key=f"delay-{ms}",
                 durable=True, queue_arguments={
                     "x-message-ttl": ms, "x-dead-letter-exchange": EXCHANGE.name,
                     "x-dead-letter-routing-key": RUN_KEY})


def message(execution_id, retries=0):
    return {"execution_id": execution_id, "retries": retries}


def parse_message(body):
    """``(execution_id, retries)`` of a message body; ``ValueError`` when it is not one."""
    if not isinstance(body, dict) or not isinstance(body.get("execution_id"), str):
        raise ValueError(f"not an execution message: {body!r}")
    retries = body.get("retries", 0)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"bad retry count in {body!r}")
    return body["execution_id"], retries


def policy_from(config):
    settings = config.get(CONFIG_KEY) or {}
    return RetryPolicy(**{key: settings[key] for key in POLICY_KEYS if key in settings})


class QueueHandle:
    """What a Nameko worker sees: ``submit``, ``retry`` and the retry ``policy``."""

    def __init__(self, publisher, policy):
        self.publisher = publisher
        self.policy = policy

    def submit(self, execution_id):
        """Queue an execution to run now; returns once RabbitMQ confirmed the message."""
        self._publish(message(execution_id), RUN_KEY)

    def retry(self, execution_id, retries):
        """Queue retry number ``retries`` after its backoff delay."""
        self._publish(message(execution_id, retries), f"delay-{self.policy.delay_ms(retries)}")

    def _publish(self, body, routing_key):
        try:
            self.publisher.publish(body, routing_key=routing_key)
        except Exception as exc:  # noqa: B902 - any broker failure means "not queued"
            raise Unavailable(f"The execution could not be queued: {exc!r}") from exc


class ExecutionQueue(DependencyProvider):
    """Declares the exchange and queues at start; injects its :class:`QueueHandle`."""

    def setup(self):
        config = self.container.config
        policy = policy_from(config)
        entities = [EXCHANGE, RUN_QUEUE] + [delay_queue(ms) for ms in policy.levels()]
        uri, ssl = config[AMQP_URI_CONFIG_KEY], config.get(AMQP_SSL_CONFIG_KEY)
        with get_connection(uri, ssl) as connection:
            channel = connection.channel()
            for entity in entities:
                maybe_declare(entity, channel)
            channel.close()
        publisher = Publisher(
            uri, use_confirms=True, mandatory=True, exchange=EXCHANGE, serializer="json",
            declare=entities, ssl=ssl, login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        self.handle = QueueHandle(publisher, policy)

    def get_dependency(self, worker_ctx):
        return self.handle


class ExecutionQueueConsumer(QueueConsumer):
    """A queue consumer of its own (nameko shares one per class), with its own prefetch."""

    def start(self):
        # A queued execution calls other services at once: consume only when this container
        # consumes its RPC reply queue (the main QueueConsumer is ready), else the first
        # replies after a restart would go to a queue that does not exist yet, and be lost.
        for extension in self.container.subextensions:
            if type(extension) is QueueConsumer:
                extension._consumers_ready.wait()
        super().start()

    @property
    def prefetch_count(self):
        settings = self.container.config.get(CONFIG_KEY) or {}
        return settings.get("concurrency") or max(1, self.container.max_workers // 2)


class ExecutionConsumer(Consumer):
    """The execution queue's entrypoint: a message delivered again while its execution's
    first delivery still runs here waits for it instead of running the execution twice
    (``in_flight``)."""

    queue_consumer = ExecutionQueueConsumer()

    def setup(self):
        self.in_flight = InFlight()
        super().setup()

    def handle_message(self, body, message):
        metrics.queue_delivery(message.delivery_info.get("redelivered", False))
        self._handle(body, message)

    def _handle(self, body, message):
        execution_id = _execution_id(body)
        running = None if execution_id is None else self.in_flight.take(execution_id)
        if running is None:
            super().handle_message(body, message)
        else:
            self.container.spawn_managed_thread(
                partial(self._after, running, execution_id, body, message),
                identifier=f"{type(self).__name__}.after[{execution_id}]")

    def _after(self, running, execution_id, body, message):
        if running.wait():
            LOG.info("execution %s was delivered again while it ran here: the delivery that "
                     "ran it completed, this one is acked", execution_id)
            self.queue_consumer.ack_message(message)
        else:
            self._handle(body, message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        finally:
            execution_id = _execution_id(worker_ctx.args[0])
            if execution_id is not None:
                self.in_flight.end(execution_id, completed=exc_info is None)


def _execution_id(body):
    try:
        return parse_message(body)[0]
    except ValueError:
        return None


# The entrypoint: the message is acked when the handler returns, requeued when it raises.
consume_executions = ExecutionConsumer.decorator(RUN_QUEUE, requeue_on_error=True)

