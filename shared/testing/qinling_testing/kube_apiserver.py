"""An in-process fake Kubernetes API server (HTTP level) for tests that use the real
``kubernetes`` client: standard library only (threads, ``http.server``, ``ssl``), so it runs
under eventlet's monkey-patching too.

    with FakeKubeApiServer(tls=make_tls_files(tmp_path)) as kube:
        api = kubernetes.client.ApiClient(kube.client_configuration())
        kube.cluster.kubelet.images.add("nginx:1.27")
        ...
        kube.assert_all_valid()

``tls`` (a ``certificates.TlsFiles``): https, and a client certificate signed by its CA is
required; with ``token`` too, a request may instead carry ``Authorization: Bearer <token>``
(the handshake then asks for a certificate without requiring one). Without credentials: 401
(or, with a required certificate and none offered, a failed handshake).
Served: ``/version`` (v1.30.0), ``/api``, ``/apis``, the group versions' resource lists, and
the kinds of ``kube_kinds.KINDS`` (pods, with ``/log`` and ``/status``; services,
configmaps, secrets, namespaces; apps/v1 deployments with ``/status``; networking.k8s.io/v1
networkpolicies) with every verb, including ``?watch=true`` (a chunked stream of JSON lines)
and collection DELETE. Anything else is 404, as the API answers for an unserved group.
``requests`` logs ``(method, path, query dict)``; ``rejected`` (the store's) the objects
refused by validation; ``store`` and ``cluster`` are the state and the simulated controllers.
"""
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from qinling_testing.kube_cluster import Cluster
from qinling_testing.kube_kinds import GROUP_VERSIONS, KINDS, KubeError, bad_request
from qinling_testing.kube_routes import VERSION, groups, parse_path, rbac_verb, resource_list
from qinling_testing.kube_store import Store
from qinling_testing.kube_validation import Validator

STREAM_ERRORS = (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    ssl_context = None

    def finish_request(self, request, client_address):
        """The TLS handshake happens here, in the request's thread."""
        if self.ssl_context is None:
            return super().finish_request(request, client_address)
        try:
            request = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return None
        try:
            return super().finish_request(request, client_address)
        finally:
            request.close()


class FakeKubeApiServer:
    def __init__(self, tls=None, token=None, validate_versions=None, namespaces=("default",),
                 history=1000, ip_prefix="127.244.0."):
        """``validate_versions``: the Kubernetes versions every written object is checked
        against (default ``("1.30.0", <newest kubernetes-validate knows>)``)."""
        self.tls, self.token = tls, token
        self.validator = Validator(validate_versions)
        self.store = Store(self.validator, history, namespaces)
        self.cluster = Cluster(self.store, ip_prefix)
        self.requests = []
        self.allowed_namespaces = None  # RBAC: the namespaces the client may act in (None: all)
        self.role_rules = None          # RBAC: what it may do there (None: anything)
        self._server = self._thread = None

    @property
    def rejected(self):
        """``(verb, kind, "namespace/name", errors)`` of every object refused by validation."""
        return self.store.rejected

    def assert_all_valid(self):
        """Nothing was refused, and every object kept (the controllers' too) is valid."""
        assert not self.rejected, f"objects refused by the fake API server: {self.rejected}"
        for kind in KINDS:
            for obj in self.store.objects(kind):
                errors = self.validator(obj)
                assert not errors, f"{kind} {obj['metadata']['name']} is invalid: {errors}"

    def start(self):
        self._server = _Server(("127.0.0.1", 0), self._handler())
        if self.tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(self.tls.server_cert), str(self.tls.server_key))
            context.load_verify_locations(str(self.tls.ca_cert))
            context.verify_mode = ssl.CERT_OPTIONAL if self.token else ssl.CERT_REQUIRED
            self._server.ssl_context = context
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self):
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    def client_configuration(self, client_cert=True, token=None):
        """A ``kubernetes.client.Configuration`` for this server: its CA, and the client
        certificate (``client_cert``) and/or a bearer ``token``."""
        from kubernetes import client
        configuration = client.Configuration()
        configuration.host = self.url
        if self.tls is not None:
            configuration.ssl_ca_cert = str(self.tls.ca_cert)
            if client_cert:
                configuration.cert_file = str(self.tls.client_cert)
                configuration.key_file = str(self.tls.client_key)
        if token is not None:
            configuration.api_key = {"authorization": token}
            configuration.api_key_prefix = {"authorization": "Bearer"}
        return configuration

    def close(self):
        self.store.close()
        self.cluster.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.close()

    # -- requests
    def _authorized(self, handler):
        if self.tls is not None and handler.connection.getpeercert():
            return True
        if self.token is not None:
            scheme, _, token = handler.headers.get("Authorization", "").partition(" ")
            return scheme.lower() == "bearer" and token == self.token  # the scheme's case-free
        return self.tls is None

    def _permitted(self, method, path, query):
        """RBAC as a Role with ``role_rules`` (``[{apiGroups, resources, verbs}]``, as in a
        Role manifest) in each of ``allowed_namespaces`` grants it (None: no such check)."""
        if self.allowed_namespaces is None and self.role_rules is None:
            return
        parts = [part for part in path.split("/") if part]
        try:
            kind, namespace, name, sub = parse_path(parts)
        except KubeError:
            return  # discovery, /version, or a 404 to come
        verb = rbac_verb(method, name, query)
        resource = kind.plural + (f"/{sub}" if sub else "")
        allowed = (namespace is not None
                   and (self.allowed_namespaces is None or namespace in self.allowed_namespaces)
                   and (self.role_rules is None or any(
                       kind.group in rule["apiGroups"] and resource in rule["resources"]
                       and verb in rule["verbs"] for rule in self.role_rules)))
        if not allowed:
            group = kind.group or ""
            raise KubeError(403, "Forbidden", f'{resource} is forbidden: User "qinling" cannot '
                            f'{verb} resource "{resource}" in API group "{group}" in the '
                            f'namespace "{namespace}"')

    def _dispatch(self, handler, method, path, query, body):
        parts = [part for part in path.split("/") if part]
        if method == "GET" and parts in (["version"], ["api"], ["apis"]):
            return handler.send_json(200, {
                "version": VERSION, "apis": groups(), "api": {
                    "kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                        {"clientCIDR": "0.0.0.0/0", "serverAddress": self.url.split("//")[1]}]}
            }[parts[0]])
        if method == "GET" and parts in (["healthz"], ["readyz"], ["livez"]):
            return handler.send_text(200, "ok")
        if method == "GET" and "/".join(parts) in GROUP_VERSIONS:
            return handler.send_json(200, resource_list("/".join(parts)))
        kind, namespace, name, sub = parse_path(parts)
        document = _decode(body) if body else None
        store = self.store
        if method == "GET" and sub == "log":
            text = self.cluster.kubelet.logs(namespace, name, query.get("container"))
            if query.get("tailLines"):
                lines = text.splitlines(keepends=True)
                text = "".join(lines[len(lines) - int(query["tailLines"]):]) \
                    if int(query["tailLines"]) else ""
            if query.get("limitBytes"):
                text = text.encode()[:int(query["limitBytes"])].decode(errors="ignore")
            return handler.send_text(200, text)
        if method == "GET" and name is None and query.get("watch") in ("true", "True", "1"):
            return handler.send_stream(store.watch(
                kind.kind, namespace, query.get("resourceVersion"), query.get("labelSelector"),
                query.get("fieldSelector"), float(query.get("timeoutSeconds") or 1800)))
        if method == "GET":
            if name is None:
                return handler.send_json(200, store.list(kind.kind, namespace,
                                                         query.get("labelSelector"),
                                                         query.get("fieldSelector")))
            return handler.send_json(200, store.read(kind.kind, namespace, name))
        if method == "POST" and name is None:
            return handler.send_json(201, store.create(kind.kind, namespace, document))
        if method == "PUT" and name is not None:
            return handler.send_json(200, store.replace(kind.kind, namespace, name, document,
                                                        sub))
        if method == "PATCH" and name is not None:
            return handler.send_json(200, store.patch(
                kind.kind, namespace, name, handler.headers.get("Content-Type"), document, sub))
        if method == "DELETE" and sub is None:
            options = dict(document or {})
            for field in ("gracePeriodSeconds", "propagationPolicy", "orphanDependents"):
                if field in query:
                    value = query[field]
                    options[field] = int(value) if field == "gracePeriodSeconds" else \
                        (value == "true" if field == "orphanDependents" else value)
            if name is None:
                return handler.send_json(200, store.delete_collection(
                    kind.kind, namespace, query.get("labelSelector"),
                    query.get("fieldSelector"), options))
            return handler.send_json(200, store.delete(kind.kind, namespace, name, options))
        raise KubeError(405, "MethodNotAllowed",
                        "the server does not allow this method on the requested resource")

    def _handler(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one_request(self):
                try:
                    super().handle_one_request()
                except STREAM_ERRORS:
                    self.close_connection = True

            def _handle(self):
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                owner.requests.append((self.command, url.path, query))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    if not owner._authorized(self):
                        raise KubeError(401, "Unauthorized", "Unauthorized")
                    owner._permitted(self.command, url.path, query)
                    owner._dispatch(self, self.command, url.path, query, body)
                except KubeError as error:
                    self.send_json(error.code, error.status())
                except Exception as error:  # a bug of the fake: answer it, don't hang
                    self.send_json(500, KubeError(500, "InternalError", repr(error)).status())
                    raise

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def send_json(self, code, document):
                self._send(code, json.dumps(document).encode(), "application/json")

            def send_text(self, code, text):
                self._send(code, text.encode(), "text/plain")

            def _send(self, code, data, content_type):
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def send_stream(self, events):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.close_connection = True
                for event in events:
                    data = json.dumps(event).encode() + b"\n"
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

            def log_message(self, *args):
                pass

        return Handler


def _decode(body):
    try:
        return json.loads(body)
    except ValueError as error:
        raise bad_request(f"the body of the request is not JSON: {error}")
