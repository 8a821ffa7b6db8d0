"""Nameko's ``@http`` with JSON errors: ``{"error": {"type", "message"}}`` and a 4xx status.

Wire errors answer with the status they carry (``http_status``); anything else is a 500 with a stable body,
never a traceback. Routing misses (no such path, wrong method) answer the same way.
"""
import json

from nameko.exceptions import BadRequest
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from qinling_shared import exceptions

_ROUTING = {404: exceptions.NotFound, 405: exceptions.NotAllowed}


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload), status=status, headers=headers,
                    content_type="application/json")


def error_response(exc):
    cls = exceptions.wire_error(exc)
    if cls is not None:
        return _error(cls.__name__, exc.message, cls.http_status)
    if isinstance(exc, BadRequest):  # nameko: arguments did not fit the entrypoint
        return _error("InvalidInput", str(exc), 400)
    return _error("InternalServerError", "Internal server error.", 500)


def _error(error_type, message, status, headers=None):
    body = {"error": {"type": error_type, "message": message}}
    return json_response(body, status=status, headers=headers)


def routing_error_response(exc, method, path):
    """A werkzeug routing ``HTTPException`` as a JSON error."""
    cls = _ROUTING.get(exc.code, exceptions.InvalidInput)
    message = {404: f"No such resource: {path}.",
               405: f"Method {method} is not allowed on {path}."}.get(exc.code, exc.description)
    headers = {"Allow": ", ".join(exc.valid_methods)} if (
        isinstance(exc, MethodNotAllowed) and exc.valid_methods) else None
    return _error(cls.__name__, message, exc.code, headers)


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
