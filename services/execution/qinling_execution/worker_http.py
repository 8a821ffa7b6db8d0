"""A minimal HTTP/1.1 client for the worker protocol: one request per call on a pooled
keep-alive connection to the worker, a body with Content-Length each way.

Workers are this platform's own servers (``runtimes/*/server``), so the client needs none of a
general client's machinery, and on the hot path of every execution that machinery costs more
than the rest of the call. A pooled connection the worker has closed meanwhile (or that holds
unread bytes) is dropped before use, never written to.

Raises ``ReadTimeout`` when the answer does not come in time, ``ProtocolError`` for an answer
that is not HTTP, and ``OSError`` (``ConnectionError``...) when the worker cannot be reached.
"""
import select
import socket
import threading
import urllib.parse

MAX_HEADER_LINE = 8192
MAX_HEADERS = 100


class ReadTimeout(Exception):
    pass


class ProtocolError(Exception):
    pass


class Response:
    def __init__(self, status, data):
        self.status = status
        self.data = data


class ConnectionPool:
    """Idle connections per worker address (``host:port``); thread- and greenlet-safe."""

    def __init__(self, per_worker=10):
        self.per_worker = per_worker
        self.idle = {}  # (host, port) -> [Connection]
        self._lock = threading.Lock()

    def request(self, method, url, body=b"", connect_timeout=3.0, read_timeout=None,
                content_type="application/json"):
        parts = urllib.parse.urlsplit(url)
        address = (parts.hostname, parts.port or 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = self._take(address) or Connection(address, connect_timeout)
        try:
            response, reusable = connection.exchange(
                method, path, body, content_type, read_timeout)
        except BaseException:
            connection.close()
            raise
        if reusable:
            self._give_back(address, connection)
        else:
            connection.close()
        return response

    def clear(self):
        with self._lock:
            connections = [c for idle in self.idle.values() for c in idle]
            self.idle.clear()
        for connection in connections:
            connection.close()

    def _take(self, address):
        while True:
            with self._lock:
                idle = self.idle.get(address)
                if not idle:
                    return None
                connection = idle.pop()
            if connection.usable():
                return connection
            connection.close()

    def _give_back(self, address, connection):
        with self._lock:
            idle = self.idle.setdefault(address, [])
            if len(idle) < self.per_worker:
                idle.append(connection)
                return
        connection.close()


class Connection:
    def __init__(self, address, connect_timeout):
        self.host = f"{address[0]}:{address[1]}"
        self.sock = socket.create_connection(address, timeout=connect_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def usable(self):
        """False when the worker closed the connection (or sent something unasked)."""
        try:
            return not select.select([self.sock], [], [], 0)[0]
        except (OSError, ValueError):
            return False

    def exchange(self, method, path, body, content_type, read_timeout):
        """Send one request, read its response: ``(Response, reusable)``."""
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n")
        self.sock.settimeout(read_timeout)
        try:
            self.sock.sendall(head.encode("latin-1") + body)
            status, length, closing = self._read_head()
            data = self.reader.read(length)
        except socket.timeout:
            raise ReadTimeout(f"no answer within {read_timeout} s") from None
        if len(data) < length:
            raise ProtocolError("the connection closed in the middle of the answer")
        return Response(status, data), not closing

    def _read_head(self):
        status_line = self._line()
        version, _, rest = status_line.partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise ProtocolError(f"not an HTTP answer: {status_line[:100]!r}")
        length, closing = None, version == "HTTP/1.0"
        for _ in range(MAX_HEADERS):
            line = self._line()
            if not line:
                if length is None:
                    raise ProtocolError("the answer has no Content-Length")
                return int(code), length, closing
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                if not value.isdigit():
                    raise ProtocolError(f"bad Content-Length {value[:40]!r}")
                length = int(value)
            elif name == "connection":
                closing = value.lower() == "close"
        raise ProtocolError("too many header lines")

    def _line(self):
        line = self.reader.readline(MAX_HEADER_LINE + 1)
        if not line:
            raise ProtocolError("the worker closed the connection")
        if len(line) > MAX_HEADER_LINE:
            raise ProtocolError("a header line is too long")
        return line.decode("latin-1").rstrip("\r\n")

    def close(self):
        for closable in (self.reader, self.sock):
            try:
                closable.close()
            except OSError:
                pass
