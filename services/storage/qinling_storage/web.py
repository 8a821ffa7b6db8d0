"""Nameko's ``@http`` with JSON errors: ``{"error": {"type", "message"}}`` and a 4xx status.

Wire errors answer with the status they carry (``http_status``); anything else is a 500 with
a stable body, never a traceback. Routing misses (no such path, wrong method) are answered as
the wire errors they stand for.
"""
import json

from nameko.exceptions import BadRequest
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from qinling_shared import exceptions


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload), status=status, headers=headers,
                    content_type="application/json")


def error_response(exc, headers=None):
    """``exc`` as ``{"error": {"type", "message"}}`` with the status its wire error carries."""
    if isinstance(exc, BadRequest):  # nameko: arguments did not fit the entrypoint
        exc = exceptions.InvalidInput(str(exc))
    cls = exceptions.wire_error(exc)
    if cls is None:
        body = {"error": {"type": "InternalServerError", "message": "Internal server error."}}
        return json_response(body, status=500)
    body = {"error": {"type": cls.__name__, "message": exc.message}}
    return json_response(body, status=cls.http_status, headers=headers)


def routing_error_response(exc, method, path):
    """A werkzeug routing ``HTTPException`` as the wire error it stands for."""
    if isinstance(exc, MethodNotAllowed):
        allow = {"Allow": ", ".join(exc.valid_methods)} if exc.valid_methods else None
        return error_response(
            exceptions.NotAllowed(f"Method {method} is not allowed on {path}."), allow)
    if exc.code == 404:
        return error_response(exceptions.NotFound(f"No such resource: {path}."))
    return error_response(exceptions.InvalidInput(exc.description))


class JsonWsgiApp(WsgiApp):
    def __call__(self, environ, start_response):
        # eventlet's wsgi.Input ends the body itself (Content-Length or chunked), so
        # werkzeug may stream it; without this flag a chunked body would read as empty.
        environ.setdefault("wsgi.input_terminated", True)
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
        except HTTPException as exc:
            if exc.code is not None and exc.code < 400:  # redirects
                return exc(environ, start_response)
            response = routing_error_response(exc, request.method, request.path)
            return response(environ, start_response)
        request.path_values = values
        return provider.handle_request(request)(environ, start_response)


class JsonWebServer(WebServer):
    def get_wsgi_app(self):
        return JsonWsgiApp(self)


class JsonHttpRequestHandler(HttpRequestHandler):
    server = JsonWebServer()

    def __init__(self, method, url, expected_exceptions=exceptions.QinlingError, **kwargs):
        super().__init__(method, url, expected_exceptions=expected_exceptions, **kwargs)

    def response_from_exception(self, exc):
        return error_response(exc)


http = JsonHttpRequestHandler.decorator
