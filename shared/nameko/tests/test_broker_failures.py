"""What a service does when its broker fails (``qinling_nameko.broker_failures``): unit tests
of each patched step, then a real service whose broker connections are closed under it."""
import logging
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from eventlet.event import Event
from kombu import Connection, Queue
from kombu.exceptions import OperationalError
from nameko.amqp import publish
from nameko.messaging import QueueConsumer
from nameko.rpc import ReplyListener
from nameko.standalone.rpc import ClusterRpcProxy

from qinling_nameko import broker_failures
from qinling_shared.exceptions import Unavailable
from qinling_testing.rabbit import RabbitVhost

HELD_SERVICE = Path(__file__).with_name("held_service.py")
NO_BROKER = "amqp://guest:guest@127.0.0.1:1//"
DEADLINE = 20.0

broker_failures.install()


class FakeChannel:
    def __init__(self, connection="a connection"):
        self.connection = connection


class FakeMessage:
    """A message whose ack and requeue do what ``settle`` does."""

    def __init__(self, settle=lambda: None, connection="a connection"):
        self.channel = FakeChannel(connection)
        self.delivery_info = {"routing_key": "held.hold"}
        self.settled = []
        self._settle = settle

    def ack(self):
        self.settled.append("ack")
        self._settle()

    def requeue(self):
        self.settled.append("requeue")
        self._settle()


def reset():
    raise ConnectionResetError(104, "Connection reset by peer")


def test_an_ack_or_requeue_on_a_live_channel_is_sent():
    message = FakeMessage()
    QueueConsumer.ack_message(None, message)
    QueueConsumer.requeue_message(None, message)
    assert message.settled == ["ack", "requeue"]


@pytest.mark.parametrize("settle", ["ack_message", "requeue_message"])
def test_an_ack_or_requeue_on_a_reset_connection_is_dropped_with_a_log_line(settle, caplog):
    message = FakeMessage(reset)
    with caplog.at_level(logging.WARNING):
        getattr(QueueConsumer, settle)(None, message)   # does not raise
    assert message.settled == [settle.split("_")[0]]
    assert "of a message of held.hold (ConnectionResetError(104" in caplog.text
    assert "the broker delivers it again" in caplog.text


def test_an_ack_on_a_closed_channel_is_not_attempted(caplog):
    message = FakeMessage(connection=None)
    with caplog.at_level(logging.WARNING):
        QueueConsumer.ack_message(None, message)
    assert message.settled == []
    assert "dropped the ack of a message of held.hold (channel closed)" in caplog.text


def test_an_error_that_is_not_the_brokers_still_raises():
    def bug():
        raise ValueError("a bug")
    with pytest.raises(ValueError):
        QueueConsumer.ack_message(None, FakeMessage(bug))


def test_pending_replies_fail_as_unavailable_when_the_connection_is_lost():
    listener = ReplyListener()
    waiting, answered = Event(), Event()
    answered.send("the reply")
    listener._reply_events = {"c1": waiting, "c2": answered}
    other = object()   # an entrypoint's provider: no replies to fail

    assert broker_failures.fail_pending_replies([listener, other], OSError("gone")) == 1
    with pytest.raises(Unavailable, match="lost while waiting for a reply"):
        waiting.wait()
    assert answered.wait() == "the reply"
    assert listener._reply_events == {}


def test_a_publish_that_the_broker_never_takes_raises_unavailable():
    publisher = publish.Publisher(NO_BROKER, retry_policy={"max_retries": 1,
                                                           "interval_start": 0})
    with pytest.raises(Unavailable, match="^The message broker is unavailable") as raised:
        publisher.publish({"x": 1}, routing_key="anywhere")
    assert isinstance(raised.value.__cause__, OperationalError)


def test_a_reply_that_the_broker_never_takes_is_dropped_with_a_log_line(caplog):
    replies = broker_failures.ReplyPublisher(NO_BROKER, retry_policy={"max_retries": 1,
                                                                      "interval_start": 0})
    with caplog.at_level(logging.WARNING):
        replies.publish({"result": 1}, routing_key="a-reply-key")   # does not raise
    assert "dropped the reply to a-reply-key" in caplog.text


class Relay:
    """A port where the broker appears (a TCP relay to 127.0.0.1:5672) ``delay`` seconds
    after :meth:`start`, as after a broker restart that takes that long."""

    def __init__(self, delay=0.0):
        self.delay = delay
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.up_at = None

    def start(self):
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def uri(self, vhost):
        return vhost.transport_url.replace("rabbit://", "amqp://").replace(
            ":5672/", f":{self.port}/")

    def _serve(self):
        time.sleep(self.delay)
        server = socket.create_server(("127.0.0.1", self.port))
        self.up_at = time.monotonic()
        while True:
            client, _ = server.accept()
            broker = socket.create_connection(("127.0.0.1", 5672))
            for source, sink in ((client, broker), (broker, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            sink.close()


def test_a_publish_waits_out_a_broker_restart_longer_than_kombus_5_s(vhost):
    broker = Relay(delay=7.0).start()
    uri = broker.uri(vhost)
    queue = f"late-{uuid.uuid4().hex[:8]}"
    publish.Publisher(uri, declare=[Queue(queue, durable=False)]).publish(
        {"x": 1}, routing_key=queue)
    assert broker.up_at is not None   # it returned only once the broker was there
    with Connection(uri) as connection:
        message = connection.SimpleQueue(Queue(queue, durable=False)).get(timeout=5)
        assert message.payload == {"x": 1}
        message.ack()


class LoopOnce:
    """What ``run`` needs of a QueueConsumer: its first consume fails as a lost connection
    does, the second stops it."""

    should_stop = False

    def __init__(self):
        self.connection = Connection(NO_BROKER)
        self.restart_limit = type("Unlimited", (), {"can_consume": lambda self, _: True})()
        self._providers = []
        self.consumed = 0

    def consume(self, limit=None):
        self.consumed += 1
        if self.consumed == 1:
            raise ConnectionResetError(104, "Connection reset by peer")
        self.should_stop = True
        return iter(())


def test_a_consumer_that_lost_its_connection_says_so_and_consumes_again(caplog):
    consumer = LoopOnce()
    with caplog.at_level(logging.WARNING):
        broker_failures.run(consumer)
    assert consumer.consumed == 2
    assert "lost the broker connection of LoopOnce (ConnectionResetError(104" in caplog.text


def test_install_is_idempotent_and_every_publish_retries_across_reconnects():
    wrapped = publish.Publisher.publish
    broker_failures.install()
    assert publish.Publisher.publish is wrapped
    assert publish.Publisher.retry_policy == broker_failures.PUBLISH_RETRY_POLICY
    assert QueueConsumer.ack_message is broker_failures.ack_message


# -- a real service, its connections closed under it -----------------------------------


@pytest.fixture
def vhost():
    with RabbitVhost() as made:
        yield made


@pytest.fixture
def held(vhost, tmp_path):
    uri = vhost.transport_url.replace("rabbit://", "amqp://")
    process = subprocess.Popen([sys.executable, str(HELD_SERVICE), uri, str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    process.uri = uri
    yield process
    if process.poll() is None:
        process.terminate()
        process.wait(10)


def wait_for(predicate, what):
    give_up = time.monotonic() + DEADLINE
    while not predicate():
        assert time.monotonic() < give_up, f"no {what} within {DEADLINE:g} s"
        time.sleep(0.05)


def ping(uri):
    """The service's answer to a new caller, or the error."""
    try:
        with ClusterRpcProxy({"AMQP_URI": uri}, timeout=5) as cluster:
            return cluster.held.ping()
    except Exception as error:  # noqa: B902 - the caller polls until it answers
        return error


def test_a_service_whose_connections_drop_lives_reconnects_and_gets_its_request_again(
        held, vhost, tmp_path):
    wait_for(lambda: ping(held.uri) == "pong", "answer to ping")
    with ClusterRpcProxy({"AMQP_URI": held.uri}, timeout=5) as cluster:
        cluster.held.hold.call_async("a")
        wait_for((tmp_path / "a.arrived").exists, "held request")
        (tmp_path / "a.arrived").unlink()
        # the service's connections (consumer, replies) and this caller's: a network failure
        wait_for(lambda: vhost.close_connections() >= 2, "connections to close")
    (tmp_path / "a.release").touch()   # its ack now goes to a connection that is gone
    # the request was not acked: the broker hands it out again once the service is back
    wait_for((tmp_path / "a.arrived").exists, "redelivery of the held request")
    wait_for(lambda: ping(held.uri) == "pong", "answer to ping after the reconnect")
    assert held.poll() is None, held.stderr.read()
