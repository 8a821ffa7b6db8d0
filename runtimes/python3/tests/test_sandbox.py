"""The server's side of the local driver's sandbox (``pyruntime.sandbox``), against a fake
worker init on the other end of a socketpair."""
import json
import socket
import types

import pytest
from pyruntime import packages, sandbox

REQUEST = types.SimpleNamespace(memory_size=1 << 25, cpu=100)


@pytest.fixture
def pair():
    ours, init = socket.socketpair()
    yield sandbox.Sandbox(ours), init.makefile("rwb", buffering=0)
    ours.close()
    init.close()


def answer(init, message):
    """Read the request the server sent; answer ``message`` (None: no answer)."""
    request = json.loads(init.readline())
    if message is not None:
        init.write(json.dumps(message).encode() + b"\n")
    return request


def test_a_download_asks_the_init_to_fill_the_file(pair):
    client, init = pair
    init.write(b'{"ok": true}\n')  # answered ahead: the client reads after it has written
    client.download("http://storage/p", "/packages/.incoming-1/package.zip")
    assert answer(init, None) == {"op": "download", "url": "http://storage/p",
                                  "into": "/packages/.incoming-1/package.zip"}


def test_a_failed_download_keeps_the_inits_reason(pair):
    client, init = pair
    init.write(b'{"error": "HTTP Error 404: Not Found"}\n')
    with pytest.raises(packages.DownloadError, match="^HTTP Error 404: Not Found$"):
        client.download("http://storage/p", "/packages/x")


def test_an_execution_joins_the_group_the_init_made_and_releases_it(pair, tmp_path):
    client, init = pair
    procs = [tmp_path / "memory.procs", tmp_path / "cpu.procs"]
    init.write(json.dumps({"id": "x1", "procs": [str(p) for p in procs],
                           "strict": False}).encode() + b"\n")
    scope = client.prepare(REQUEST)
    assert answer(init, None) == {"op": "cgroup", "memory": 1 << 25, "cpu": 100}
    scope.enter()
    assert [p.read_text() for p in procs] == ["0", "0"]  # 0: the writing process
    scope.close()
    assert answer(init, None) == {"op": "release", "id": "x1"}


def test_without_a_group_nothing_is_joined_or_released(pair):
    client, init = pair
    init.write(b'{"id": null}\n')
    scope = client.prepare(REQUEST)
    scope.enter()
    scope.close()
    client.release("x9")  # the next message on the socket: no release of the missing group
    answer(init, None)
    assert answer(init, None) == {"op": "release", "id": "x9"}


@pytest.mark.parametrize("strict", [False, True])
def test_a_group_that_cannot_be_joined_fails_only_when_strict(pair, tmp_path, strict):
    client, init = pair
    init.write(json.dumps({"id": "x1", "procs": [str(tmp_path / "absent" / "procs")],
                           "strict": strict}).encode() + b"\n")
    scope = client.prepare(REQUEST)
    if strict:
        with pytest.raises(OSError):
            scope.enter()
    else:
        scope.enter()


def test_a_refused_group_is_a_sandbox_error(pair):
    client, init = pair
    init.write(b'{"error": "cannot limit the execution\'s cgroup"}\n')
    with pytest.raises(sandbox.SandboxError, match="cannot limit"):
        client.prepare(REQUEST)


def test_a_gone_init_fails_the_download():
    ours, init = socket.socketpair()
    init.close()
    with pytest.raises(packages.DownloadError, match="the worker's init is gone"):
        sandbox.Sandbox(ours).download("http://storage/p", "/packages/x")
    ours.close()
