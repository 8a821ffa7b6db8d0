"""Fakes for the gateway's two dependencies, and the app built on them.

No eventlet here: the gateway is a plain asyncio process.
"""
import contextlib
import dataclasses
import hashlib

import pytest

from qinling_api.app import create_app
from qinling_api.settings import Settings
from qinling_shared.exceptions import NotFound


@dataclasses.dataclass
class Call:
    service: str
    method: str
    args: tuple
    kwargs: dict
    context: dict
    timeout: float


class FakeRpc:
    """Records calls; answers with canned results, or raises canned errors."""

    def __init__(self):
        self.calls = []
        self.answers = {}
        self.connected = True

    def answer(self, service, method, result):
        """``result`` is returned, raised (an exception) or called (a function of the args)."""
        self.answers[service, method] = result

    async def call(self, service, method, *args, context=None, timeout=None, **kwargs):
        self.calls.append(Call(service, method, args, kwargs, context, timeout))
        result = self.answers.get((service, method))
        if isinstance(result, BaseException):
            raise result
        return result(*args, **kwargs) if callable(result) else result

    def calls_to(self, service, method):
        return [c for c in self.calls if (c.service, c.method) == (service, method)]


class FakeStorage:
    """Keeps uploads in memory, chunk by chunk as they arrived; serves ``packages`` by URL."""

    CHUNK = 1000

    def __init__(self):
        self.uploads = []     # (project_id, [chunks])
        self.error = None
        self.packages = {}    # signed url -> bytes
        self.chunks_read = 0

    @contextlib.asynccontextmanager
    async def download(self, url):
        if url not in self.packages:
            raise NotFound(f"Package not found [url={url}]")
        data = self.packages[url]

        async def chunks():
            for start in range(0, len(data), self.CHUNK):
                self.chunks_read += 1
                yield data[start:start + self.CHUNK]

        yield len(data), chunks()

    async def upload(self, project_id, body):
        chunks = []
        self.uploads.append((project_id, chunks))
        async for chunk in body:
            chunks.append(bytes(chunk))
        if self.error is not None:
            raise self.error
        data = b"".join(chunks)
        return {"key": f"{project_id}/pkg-{len(self.uploads)}",
                "md5sum": hashlib.md5(data).hexdigest(),
                "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


@pytest.fixture
def settings():
    return Settings(etcd_url="http://127.0.0.1:1", rpc_response_timeout=60, max_timeout=300)


@pytest.fixture
def rpc():
    return FakeRpc()


@pytest.fixture
def storage():
    return FakeStorage()


@pytest.fixture
async def client(aiohttp_client, settings, rpc, storage):
    return await aiohttp_client(create_app(settings, rpc=rpc, storage=storage))
