"""One Swift account, reached with python-swiftclient.

Used by the swift backend (its container) and for functions whose code is a Swift object.
A swiftclient ``Connection`` serves one request at a time and a streamed GET holds it until
read, so every operation gets its own ``Connection``; the auth token is shared between them
and renewed by swiftclient when Swift answers 401.

Errors: a missing object or container is ``NotFound``; Swift unreachable, refusing the
credentials or failing is ``Unavailable``.
"""
import contextlib
import threading

import requests
import swiftclient
from swiftclient.exceptions import ClientException

from qinling_shared.exceptions import NotFound, Unavailable

from qinling_storage.backends.streams import CHUNK_SIZE, StreamChunks


class SwiftAccount:
    def __init__(self, *, auth_url, user, key, auth_version="1", project_name="",
                 user_domain_name="Default", project_domain_name="Default", retries=1,
                 timeout=30.0):
        os_options = {"project_name": project_name, "user_domain_name": user_domain_name,
                      "project_domain_name": project_domain_name} if auth_version == "3" else {}
        self._options = {"authurl": auth_url, "user": user, "key": key,
                         "auth_version": auth_version, "os_options": os_options,
                         "retries": retries, "timeout": timeout,
                         "starting_backoff": 0.2, "max_backoff": 1}
        self._auth = (None, None)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings):
        """From the ``STORAGE["swift"]`` dict; ``None`` when no ``auth_url`` is set."""
        if not settings or not settings.get("auth_url"):
            return None
        return cls(auth_url=settings["auth_url"], user=settings.get("user", ""),
                   key=settings.get("key", ""),
                   auth_version=str(settings.get("auth_version", "1")),
                   project_name=settings.get("project_name", ""),
                   user_domain_name=settings.get("user_domain_name", "Default"),
                   project_domain_name=settings.get("project_domain_name", "Default"))

    @contextlib.contextmanager
    def _connection(self, what):
        with self._lock:
            url, token = self._auth
        conn = swiftclient.Connection(preauthurl=url, preauthtoken=token, **self._options)
        try:
            yield conn
        except ClientException as exc:
            # a 404 after a successful auth is the object's (or container's) absence
            if exc.http_status == 404 and conn.token:
                raise NotFound(f"Swift {what} not found.") from None
            status = f"{exc.http_status} {exc.http_reason}" if exc.http_status else exc.msg
            raise Unavailable(f"Swift refused {what}: {status}.") from None
        except (requests.RequestException, OSError) as exc:
            raise Unavailable(f"Swift cannot be reached ({what}): {exc}") from None
        finally:
            if conn.token and (conn.url, conn.token) != (url, token):
                with self._lock:
                    self._auth = (conn.url, conn.token)

    def head_object(self, container, name):
        """The object's headers (lower-case names)."""
        with self._connection(f"object {container}/{name}") as conn:
            return conn.head_object(container, name)

    def get_object(self, container, name, chunk_size=CHUNK_SIZE):
        """``(headers, chunks)``: the body is streamed; close ``chunks`` if not read to the end."""
        with self._connection(f"object {container}/{name}") as conn:
            headers, body = conn.get_object(container, name, resp_chunk_size=chunk_size)
        return headers, StreamChunks(body, chunk_size)

    def put_object(self, container, name, chunks):
        """Upload with chunked transfer encoding from the ``chunks`` iterable; the etag."""
        with self._connection(f"object {container}/{name}") as conn:
            return conn.put_object(container, name, contents=(chunk for chunk in chunks),
                                   content_type="application/zip")

    def delete_object(self, container, name):
        """Remove the object; a missing one is not an error."""
        with contextlib.suppress(NotFound):
            with self._connection(f"object {container}/{name}") as conn:
                conn.delete_object(container, name)

    def object_names(self, container, prefix):
        """The names of the objects of ``container`` that start with ``prefix``."""
        with self._connection(f"container {container}") as conn:
            _, listing = conn.get_container(container, prefix=prefix, full_listing=True)
        return [item["name"] for item in listing]

    def ensure_container(self, container):
        """Create ``container`` unless it exists."""
        try:
            with self._connection(f"container {container}") as conn:
                conn.head_container(container)
        except NotFound:
            with self._connection(f"container {container}") as conn:
                conn.put_container(container)
