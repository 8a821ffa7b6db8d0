"""The asyncio RPC client against real nameko services on a real broker."""
import asyncio
import gc
import json
import os
import signal
import socket
import time
import uuid

import aio_pika
import pytest

from qinling_api.rpc import RemoteError, RpcClient
from qinling_shared.context import tenancy
from qinling_shared.exceptions import NotFound, Unavailable
from broker import BROKER, Link, amqp_uri, wait_until_serving


async def wait_for_file(path, deadline=10.0):
    give_up = time.monotonic() + deadline
    while not path.exists():
        assert time.monotonic() < give_up, f"{path} never appeared"
        await asyncio.sleep(0.05)


async def test_call_with_args_and_kwargs(rpc_client, start_service):
    start_service()
    assert (await wait_until_serving(rpc_client, "echo"))["status"] == "ok"
    result = await rpc_client.call("echo", "echo", 1, "two", x={"y": [3]})
    assert result == {"args": [1, "two"], "kwargs": {"x": {"y": [3]}}}


async def test_context_reaches_the_services_providers(rpc_client, start_service):
    start_service()
    await wait_until_serving(rpc_client, "echo")
    request_id = f"req-{uuid.uuid4()}"
    context = tenancy(project_id="p1", is_admin=True, request_id=request_id)
    assert await rpc_client.call("echo", "whoami", context=context) == {
        "project_id": "p1", "request_id": request_id, "is_admin": True}


async def test_wire_error_is_reraised_typed(rpc_client, start_service):
    start_service()
    await wait_until_serving(rpc_client, "echo")
    with pytest.raises(NotFound, match=r"^Execution not found \[id=e1\]$"):
        await rpc_client.call("echo", "get_execution", "e1")


async def test_other_remote_errors_are_remote_errors(rpc_client, start_service):
    start_service()
    await wait_until_serving(rpc_client, "echo")
    with pytest.raises(RemoteError) as raised:
        await rpc_client.call("echo", "fail")
    assert (raised.value.exc_type, raised.value.value) == ("ValueError", "kaboom: a secret detail")


async def test_unknown_service_fails_at_once(vhost):
    # probes and timeout far away: only the returned publish can explain a quick failure
    client = await RpcClient(amqp_uri(vhost), timeout=60, probe_interval=30).connect()
    try:
        with pytest.raises(Unavailable, match=r"^Service 'nobody' is not running\.$"):
            await asyncio.wait_for(client.call("nobody", "ping"), 10)
    finally:
        await client.close()


async def test_a_call_whose_service_dies_gets_the_reply_of_the_next_replica(
        vhost, start_service, tmp_path):
    """D8's path: the request is delivered again when its first consumer dies; the caller
    keeps waiting through the loss of the consumer instead of answering 503."""
    process = start_service()
    client = await RpcClient(amqp_uri(vhost), timeout=30, probe_interval=0.2).connect()
    try:
        await wait_until_serving(client, "echo")
        marker = tmp_path / "arrived"
        call = asyncio.ensure_future(client.call("echo", "once", str(marker)))
        await wait_for_file(marker)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        await wait_for_consumers(client, 0)   # the caller saw the consumer go ...
        assert not call.done()                # ... and still waits
        start_service()
        assert await call == "answered by a later delivery"
    finally:
        await client.close()


async def wait_for_consumers(client, count, deadline=10.0):
    give_up = time.monotonic() + deadline
    while await client.consumers.refresh("rpc-echo") != count:
        assert time.monotonic() < give_up, f"never {count} consumers"
        await asyncio.sleep(0.05)


async def test_a_call_to_a_service_without_consumer_is_refused_at_once_unpublished(
        vhost, start_service):
    """D7: a 503 "no consumer" means nothing was published, so nothing runs later."""
    process = start_service()
    async with await aio_pika.connect(amqp_uri(vhost)) as connection:
        channel = await connection.channel()
        await wait_until_declared(channel)
        process.kill()
        process.wait()
        client = await RpcClient(amqp_uri(vhost), timeout=30, probe_interval=30).connect()
        try:
            with pytest.raises(Unavailable, match="^Service 'echo' is unavailable: no consumer "
                                                  r"on queue rpc-echo\.$"):
                await asyncio.wait_for(client.call("echo", "echo", "x"), 5)
        finally:
            await client.close()
        assert await queued_messages(channel) == 0


async def wait_until_declared(channel, deadline=30.0):
    give_up = time.monotonic() + deadline
    while True:
        try:
            queue = await channel.declare_queue("rpc-echo", passive=True)
            if queue.declaration_result.consumer_count:
                return
        except aio_pika.exceptions.ChannelNotFoundEntity:
            await channel.reopen()
        assert time.monotonic() < give_up, "the service never consumed its queue"
        await asyncio.sleep(0.1)


async def test_a_service_that_does_not_answer_times_out(rpc_client, start_service, tmp_path):
    start_service()
    await wait_until_serving(rpc_client, "echo")
    with pytest.raises(Unavailable, match=r"^Service 'echo' did not answer within 1 s\.$"):
        await rpc_client.call("echo", "hang", str(tmp_path / "m"), timeout=1)


async def test_a_request_its_caller_gave_up_on_never_runs(vhost, start_service, tmp_path):
    """D7: published while the consumer was gone (the caller had not noticed yet), then the
    caller gave up; the service that comes back must not run it."""
    process = start_service()
    async with await aio_pika.connect(amqp_uri(vhost)) as connection:
        await wait_until_declared(await connection.channel())
    client = await RpcClient(amqp_uri(vhost), timeout=10, probe_interval=30).connect()
    runs = tmp_path / "runs"
    try:
        await wait_until_serving(client, "echo")   # the client now believes in a consumer
        process.kill()
        process.wait()
        with pytest.raises(Unavailable, match=r"^Service 'echo' did not answer within 1 s\.$"):
            await client.call("echo", "record", str(runs), "given up", timeout=1)
        start_service()
        await wait_until_serving(client, "echo")
        assert await client.call("echo", "record", str(runs), "later") == "later"
    finally:
        await client.close()
    assert runs.read_text() == "later\n"   # the queue is FIFO: the first was dropped


@pytest.mark.parametrize("redelivered, late, runs_it", [
    (False, True, False), (True, True, False), (True, False, True), (False, False, True)])
async def test_the_service_applies_the_start_by_to_what_it_is_handed(
        vhost, start_service, tmp_path, redelivered, late, runs_it):
    """Handed a request past its start-by (no broker expiration here, as when it waited in
    a prefetch buffer or the clocks differ), the service refuses it without running it; a
    request delivered again in time runs (the caller still waits)."""
    process = start_service()
    runs = tmp_path / "runs"
    async with await aio_pika.connect(amqp_uri(vhost)) as connection:
        channel = await connection.channel()
        await wait_until_declared(channel)
        process.kill()
        process.wait()
        exchange, replies = await reply_queue(channel)
        start_by = int((time.time() + (-5 if late else 60)) * 1000)   # epoch ms
        await exchange.publish(aio_pika.Message(
            b'{"args": [], "kwargs": {"path": "%s", "line": "x"}}' % str(runs).encode(),
            content_type="application/json", correlation_id="c1", reply_to="test-replies",
            headers={"x-qinling-start-by": start_by}), routing_key="echo.record")
        if redelivered:   # taken by a consumer that let go of it, as a dying replica does
            taken = await (await channel.get_queue("rpc-echo")).get(timeout=5)
            await taken.reject(requeue=True)
        start_service()
        reply = json.loads((await replies.get(timeout=30, fail=True)).body)
    if runs_it:
        assert reply == {"result": "x", "error": None}
        assert runs.read_text() == "x\n"
    else:
        assert reply["error"]["exc_type"] == "Unavailable"
        assert reply["error"]["value"].endswith("it did not run.")
        assert not runs.exists()


async def reply_queue(channel):
    exchange = await channel.declare_exchange("nameko-rpc", aio_pika.ExchangeType.TOPIC,
                                              durable=True)
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(exchange, routing_key="test-replies")
    return exchange, Replies(queue)


class Replies:
    """The replies of a queue, waited for with a deadline."""

    def __init__(self, queue):
        self.queue = queue

    async def get(self, timeout, fail=True):
        give_up = time.monotonic() + timeout
        while True:
            message = await self.queue.get(fail=False)
            if message is not None:
                await message.ack()
                return message
            assert time.monotonic() < give_up or not fail, "no reply"
            await asyncio.sleep(0.05)


async def queued_messages(channel):
    queue = await channel.declare_queue("rpc-echo", passive=True)
    return queue.declaration_result.message_count


async def test_a_call_waits_through_a_broker_reconnect_for_its_reply(
        link, vhost, start_service, tmp_path):
    """The reply queue comes back under the same routing key after a reconnect, so a call
    pending across the loss of the connection still gets its reply."""
    start_service()
    client = await RpcClient(amqp_uri(vhost, port=link.port), timeout=30, probe_interval=0.5,
                             reconnect_interval=0.2).connect()
    try:
        await wait_until_serving(client, "echo")
        marker, release = tmp_path / "arrived", tmp_path / "release"
        call = asyncio.ensure_future(client.call("echo", "hold", str(marker), str(release)))
        await wait_for_file(marker)
        link.cut()
        # reconnected in the background, reply queue declared again: a ping gets through
        assert (await wait_until_serving(client, "echo"))["status"] == "ok"
        assert not call.done()
        release.touch()
        assert await call == "released"
        assert client.connected
    finally:
        await client.close()


async def test_a_reply_sent_while_the_client_is_disconnected_waits_for_it(
        link, vhost, start_service, tmp_path):
    """The reply queue is durable: it outlives the client's connection, so a reply the
    service sends while the client cannot reach the broker is there when it reconnects."""
    start_service()
    client = await RpcClient(amqp_uri(vhost, port=link.port), timeout=30, probe_interval=0.5,
                             reconnect_interval=0.2).connect()
    try:
        await wait_until_serving(client, "echo")
        marker, release = tmp_path / "arrived", tmp_path / "release"
        call = asyncio.ensure_future(client.call("echo", "hold", str(marker), str(release)))
        await wait_for_file(marker)
        await link.close()        # the client is cut off, and cannot reconnect
        async with await aio_pika.connect(amqp_uri(vhost)) as connection:
            channel = await connection.channel()
            name = f"rpc.reply-{client.name}-{client._reply_key}"
            replies = await channel.declare_queue(name, passive=True)
            give_up = time.monotonic() + 10
            while replies.declaration_result.consumer_count:  # the broker saw it go
                assert time.monotonic() < give_up, "the client's consumer never went"
                await asyncio.sleep(0.05)
                replies = await channel.declare_queue(name, passive=True)
            release.touch()       # the service replies meanwhile (its own connection)
            while replies.declaration_result.message_count == 0:
                assert time.monotonic() < give_up, "the reply never reached the queue"
                await asyncio.sleep(0.05)
                replies = await channel.declare_queue(replies.name, passive=True)
        assert not call.done()
        await link.start(link.port)    # the client reconnects, and reads the reply
        assert await asyncio.wait_for(call, 10) == "released"
    finally:
        await client.close()


async def test_not_connected_is_unavailable_at_once():
    client = RpcClient("amqp://guest:guest@127.0.0.1:1/")
    with pytest.raises(Unavailable, match=r"^The message broker is unavailable\.$"):
        await client.call("echo", "ping")


async def test_started_before_the_broker_it_connects_once_the_broker_is_there(
        vhost, start_service, caplog):
    with socket.socket() as sock:  # a port where no broker listens yet
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = RpcClient(amqp_uri(vhost, port=port), reconnect_interval=0.1)
    client.start()
    link = Link()
    try:
        give_up = time.monotonic() + 10
        while caplog.text.count("message broker unreachable") < 2:  # it keeps trying
            assert time.monotonic() < give_up
            await asyncio.sleep(0.05)
        assert not client.connected
        with pytest.raises(Unavailable, match=r"^The message broker is unavailable\.$"):
            await client.call("echo", "ping")
        await link.start(port)  # the broker appears
        start_service()
        assert (await wait_until_serving(client, "echo"))["status"] == "ok"
    finally:
        await client.close()
        await link.close()


async def test_dispatch_reaches_the_events_exchange(rpc_client, vhost):
    async with await aio_pika.connect(amqp_uri(vhost)) as connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            "gateway.events", aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue("evt-gateway-thing_done--test.handle")
        await queue.bind(exchange, "thing_done")
        await rpc_client.dispatch("gateway", "thing_done", {"id": "x"},
                                  context=tenancy(project_id="p1"))
        message = await queue.get(timeout=5, fail=True)
        assert message.body == b'{"id": "x"}'
        assert message.headers["nameko.project_id"] == "p1"
        await message.ack()


async def test_the_broker_socket_has_tcp_nodelay(rpc_client):
    """Nagle would add ~40 ms to small request/reply exchanges; asyncio disables it."""
    broker_sockets = [
        sock for sock in gc.get_objects()
        if isinstance(sock, socket.socket) and sock.fileno() >= 0
        and sock.family == socket.AF_INET and peer_of(sock) == BROKER]
    assert broker_sockets
    assert all(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
               for sock in broker_sockets)


def peer_of(sock):
    try:
        return sock.getpeername()
    except OSError:
        return None
