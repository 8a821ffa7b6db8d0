"""The worker protocol's HTTP client against raw servers that answer exactly what a test says."""
import socket
import threading

import pytest

from qinling_execution.worker_http import ConnectionPool, ProtocolError, ReadTimeout


class RawServer:
    """Accepts connections; for each request read, sends ``answers.pop(0)`` as raw bytes, and
    closes the connection after it when ``close_after`` is set. Counts connections."""

    def __init__(self, answers, close_after=False):
        self.answers, self.close_after = list(answers), close_after
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection):
        reader = connection.makefile("rb")
        with connection:
            while self.answers:
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if not line:
                    return
                reader.read(length)
                connection.sendall(self.answers.pop(0))
                if self.close_after:
                    return

    def close(self):
        self.listener.close()


def answer(body, *headers):
    lines = ["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.fixture
def pool():
    pool = ConnectionPool()
    yield pool
    pool.clear()


def serve(*answers, close_after=False):
    return RawServer(answers, close_after)


def test_keep_alive_answers_share_one_connection(pool):
    server = serve(answer(b"one"), answer(b"two"))
    assert [pool.request("POST", server.url + "/execute", b"{}").data
            for _ in range(2)] == [b"one", b"two"]
    assert server.connections == 1
    server.close()


def test_a_connection_the_worker_closed_is_not_reused(pool):
    server = serve(answer(b"one"), answer(b"two"), close_after=True)
    assert pool.request("POST", server.url + "/execute", b"{}").data == b"one"
    assert pool.request("POST", server.url + "/execute", b"{}").data == b"two"
    assert server.connections == 2
    server.close()


def test_connection_close_is_honoured(pool):
    server = serve(answer(b"one", "Connection: close"), answer(b"two"))
    pool.request("GET", server.url + "/ping")
    assert pool.idle.get(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), []) == []
    server.close()


@pytest.mark.parametrize("raw, message", [
    (b"SSH-2.0-OpenSSH\r\n\r\n", "not an HTTP answer"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "no Content-Length"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "closed in the middle"),
    (b"HTTP/1.1 200 OK\r\nX: " + b"y" * 9000 + b"\r\n\r\n", "too long"),
])
def test_an_answer_that_is_not_well_formed_http_is_refused(pool, raw, message):
    server = serve(raw, close_after=True)
    with pytest.raises(ProtocolError, match=message):
        pool.request("POST", server.url + "/execute", b"{}")
    server.close()


def test_no_answer_in_time_is_a_read_timeout(pool):
    silent = socket.create_server(("127.0.0.1", 0))
    with pytest.raises(ReadTimeout):
        pool.request("POST", f"http://127.0.0.1:{silent.getsockname()[1]}/execute", b"{}",
                     read_timeout=0.1)
    silent.close()


def test_a_closed_port_is_a_connection_error(pool):
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(ConnectionError):
        pool.request("GET", f"http://127.0.0.1:{port}/ping", connect_timeout=1)
