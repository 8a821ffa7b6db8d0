"""Helpers for tests against the real RabbitMQ on 127.0.0.1 (management plugin on 15672)."""
import asyncio
import base64
import json
import time
import urllib.parse
import urllib.request

from qinling_shared.exceptions import Unavailable

MANAGEMENT = "http://127.0.0.1:15672"
BROKER = ("127.0.0.1", 5672)
USER, PASSWORD = "guest", "guest"


def management(method, path, body=None):
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(
        f"{MANAGEMENT}/api/{path}", method=method, headers={
            "Authorization": f"Basic {auth}", "Content-Type": "application/json"},
        data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def amqp_uri(vhost, host=BROKER[0], port=BROKER[1]):
    return f"amqp://{USER}:{PASSWORD}@{host}:{port}/{urllib.parse.quote(vhost, safe='')}"


async def wait_until_serving(client, service, deadline=30.0):
    """Poll ``ping`` until the service answers (it takes a second or two to start)."""
    give_up = time.monotonic() + deadline
    while True:
        try:
            return await client.call(service, "ping", timeout=2)
        except Unavailable:
            if time.monotonic() > give_up:
                raise
            await asyncio.sleep(0.1)


class Link:
    """A TCP proxy to the broker whose connections the test can cut, like a network failure."""

    def __init__(self):
        self.writers = set()
        self.server = None

    async def start(self, port=0):
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", port)
        return self.server.sockets[0].getsockname()[1]

    async def _relay(self, client_reader, client_writer):
        broker_reader, broker_writer = await asyncio.open_connection(*BROKER)
        self.writers |= {client_writer, broker_writer}
        await asyncio.gather(self._pipe(client_reader, broker_writer),
                             self._pipe(broker_reader, client_writer))

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    def cut(self):
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()

    async def close(self):
        self.cut()
        self.server.close()
        await self.server.wait_closed()
