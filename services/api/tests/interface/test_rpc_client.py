"""The asyncio RPC client against real nameko services on a real broker."""
import asyncio
import gc
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


async def test_killed_service_is_unavailable_before_the_timeout(
        rpc_client, start_service, tmp_path):
    process = start_service()
    await wait_until_serving(rpc_client, "echo")
    marker = tmp_path / "arrived"
    call = asyncio.ensure_future(rpc_client.call("echo", "hang", str(marker), timeout=30))
    await wait_for_file(marker)
    os.kill(process.pid, signal.SIGKILL)
    with pytest.raises(Unavailable, match="^Service 'echo' is unavailable: no consumer on "
                                          r"queue rpc-echo\.$"):
        await call


async def test_a_service_that_does_not_answer_times_out(rpc_client, start_service, tmp_path):
    start_service()
    await wait_until_serving(rpc_client, "echo")
    with pytest.raises(Unavailable, match=r"^Service 'echo' did not answer within 1 s\.$"):
        await rpc_client.call("echo", "hang", str(tmp_path / "m"), timeout=1)


async def test_requests_expire_in_the_queue_of_a_dead_service(
        rpc_client, start_service, vhost):
    process = start_service()
    await wait_until_serving(rpc_client, "echo")
    process.kill()
    process.wait()
    with pytest.raises(Unavailable, match="no consumer"):
        await rpc_client.call("echo", "echo", "stale", timeout=1.5)
    async with await aio_pika.connect(amqp_uri(vhost)) as connection:
        channel = await connection.channel()
        assert await queued_messages(channel) >= 1      # still waiting for a consumer ...
        give_up = time.monotonic() + 10
        while await queued_messages(channel):            # ... until it expires
            assert time.monotonic() < give_up, "the request never expired"
            await asyncio.sleep(0.1)


async def queued_messages(channel):
    queue = await channel.declare_queue("rpc-echo", passive=True)
    return queue.declaration_result.message_count


async def test_connection_loss_fails_pending_calls_then_recovers(
        link, vhost, start_service, tmp_path):
    start_service()
    client = await RpcClient(amqp_uri(vhost, port=link.port), timeout=30, probe_interval=0.5,
                             reconnect_interval=0.2).connect()
    try:
        await wait_until_serving(client, "echo")
        marker = tmp_path / "arrived"
        call = asyncio.ensure_future(client.call("echo", "hang", str(marker)))
        await wait_for_file(marker)
        link.cut()
        with pytest.raises(Unavailable,
                           match=r"^Lost the connection to the message broker\.$"):
            await call
        # reconnected in the background, reply queue declared again: calls work again
        assert (await wait_until_serving(client, "echo"))["status"] == "ok"
        assert client.connected
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
