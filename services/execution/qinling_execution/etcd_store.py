"""etcd reduced to the calls the worker map makes, over etcd3gw (HTTP JSON gateway; gRPC clients
hang under eventlet). Unit tests use an in-memory stand-in with the same interface
(``tests/fakes.py``).

Keys and values are ``str``; leases are plain ids. The watch is this module's own green thread
rather than etcd3gw's ``watch_prefix``: that one runs in a thread pool and swallows the end of its
stream, so a broken watch would go unnoticed; here ``Watch.alive`` turns false and the owner
reloads (see ``WorkerMap.keep_alive``).
"""
import base64
import json
import logging

import eventlet
import requests
from etcd3gw.client import Etcd3Client
from etcd3gw.exceptions import Etcd3Exception
from etcd3gw.lock import Lock

from qinling_shared.exceptions import Unavailable

LOG = logging.getLogger(__name__)


def _b64(text):
    return base64.b64encode(text.encode()).decode()


def _text(b64):
    return base64.b64decode(b64).decode()


def prefix_end(prefix):
    """The first key after every key that starts with ``prefix`` (etcd's ``range_end``)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class Watch:
    """Events of a prefix, delivered by a green thread to ``on_event(kind, key, value)`` with
    ``kind`` ``"PUT"`` or ``"DELETE"``; ``alive`` until the stream ends or is cancelled."""

    def __init__(self, open_stream, on_event):
        self._open_stream = open_stream
        self._on_event = on_event
        self._thread = eventlet.spawn(self._run)

    @property
    def alive(self):
        return not self._thread.dead

    def cancel(self):
        self._thread.kill()

    def _run(self):
        try:
            response = self._open_stream()
        except Exception as exc:
            LOG.warning("etcd watch could not start: %s", exc)
            return
        try:
            if response.status_code != 200:
                LOG.warning("etcd watch refused: %s %s", response.status_code, response.text)
                return
            for message in _messages(response):
                result = message.get("result", {})
                if "error" in message or result.get("canceled"):
                    LOG.warning("etcd watch ended: %s", message)
                    return
                for event in result.get("events", []):
                    self._deliver(event)
        except Exception:
            LOG.exception("etcd watch failed")
        finally:
            response.close()

    def _deliver(self, event):
        kv = event["kv"]
        try:
            self._on_event(event.get("type", "PUT"), _text(kv["key"]), _text(kv.get("value", "")))
        except Exception:
            LOG.exception("handling etcd event %s failed", event)


def _messages(response):
    """JSON messages of a grpc-gateway stream: one per line, lines split across chunks."""
    buffered = b""
    for chunk in response.iter_content(chunk_size=None):
        buffered += chunk
        *lines, buffered = buffered.split(b"\n")
        for line in lines:
            if line.strip():
                yield json.loads(line)


def unavailable(exc):
    return Unavailable(f"etcd is unavailable: {exc}")


class _Session(requests.Session):
    """A ``requests`` session whose own ``verify`` (the ``[etcd] ca_cert``) wins over
    ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``: plain ``requests`` lets those variables replace
    a session's CA (psf/requests#3829, kept until requests 3), and many hosts set them."""

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        return super().merge_environment_settings(
            url, proxies, stream, self.verify if verify is None else verify, cert)


def client(settings, timeout=5):
    """An ``Etcd3Client`` from ``[etcd]`` settings (``qinling_shared.config.etcd_settings``:
    ``host``, ``port`` and, for https, ``protocol``, ``ca_cert`` (unset: the system's CAs),
    ``cert_file`` and ``cert_key``)."""
    protocol = settings.get("protocol", "http")
    session = _Session()
    if protocol == "https":
        if settings.get("ca_cert"):
            session.verify = settings["ca_cert"]
        if settings.get("cert_file") and settings.get("cert_key"):
            session.cert = (settings["cert_file"], settings["cert_key"])
    return Etcd3Client(host=settings["host"], port=settings["port"], protocol=protocol,
                       timeout=timeout, session=session)


class EtcdStore:
    """The worker map's etcd, over an ``etcd3gw.client.Etcd3Client``. etcd's errors are
    ``Unavailable``."""

    def __init__(self, client):
        self.client = client

    @classmethod
    def connect(cls, settings, timeout=5):
        """The store on the etcd of ``settings`` (see :func:`client`)."""
        return cls(client(settings, timeout))

    def _post(self, path, body):
        try:
            return self.client.post(self.client.get_url(path), json=body)
        except Etcd3Exception as exc:
            raise unavailable(exc) from exc

    def load(self, prefix):
        """``(revision, [(key, value)])`` of every key under ``prefix``, read at one revision."""
        result = self._post("/kv/range",
                            {"key": _b64(prefix), "range_end": _b64(prefix_end(prefix))})
        items = [(_text(kv["key"]), _text(kv.get("value", ""))) for kv in result.get("kvs", [])]
        return int(result["header"]["revision"]), items

    def put(self, key, value, lease=None):
        body = {"key": _b64(key), "value": _b64(value)}
        if lease is not None:
            body["lease"] = lease
        self._post("/kv/put", body)

    def delete(self, key):
        self._post("/kv/deleterange", {"key": _b64(key)})

    def delete_prefix(self, prefix):
        self._post("/kv/deleterange", {"key": _b64(prefix), "range_end": _b64(prefix_end(prefix))})

    def grant(self, ttl):
        """A new lease of ``ttl`` seconds; its id."""
        return int(self._post("/lease/grant", {"TTL": ttl, "ID": 0})["ID"])

    def refresh(self, lease):
        """Renew a lease; False when it has already expired (its keys are gone)."""
        return int(self._post("/lease/keepalive", {"ID": lease})["result"].get("TTL", -1)) > 0

    def revoke(self, lease):
        """End a lease now: etcd deletes its keys. A lease that already expired (or was
        revoked) is no error: its keys are gone either way."""
        try:
            self.client.post(self.client.get_url("/kv/lease/revoke"), json={"ID": lease})
        except Etcd3Exception as exc:
            if "lease not found" not in (exc.detail_text or ""):
                raise unavailable(exc) from exc

    def try_lock(self, name, ttl):
        """The lock ``name`` if it is free now (it expires after ``ttl`` s), else None."""
        lock = Lock(name, ttl=ttl, client=self.client)
        try:
            return lock if lock.acquire() else None
        except Etcd3Exception as exc:
            raise unavailable(exc) from exc

    def unlock(self, lock):
        try:
            lock.release()
        except Etcd3Exception as exc:
            raise unavailable(exc) from exc

    def watch(self, prefix, start_revision, on_event):
        """Watch every key under ``prefix`` from ``start_revision`` on."""
        body = {"create_request": {"key": _b64(prefix), "range_end": _b64(prefix_end(prefix)),
                                   "start_revision": start_revision}}

        def open_stream():
            return self.client.session.post(self.client.get_url("/watch"), json=body,
                                            stream=True, timeout=(self.client.timeout, None))
        return Watch(open_stream, on_event)

