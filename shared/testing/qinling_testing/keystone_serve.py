"""Serve Keystone's WSGI application on 127.0.0.1:$QINLING_KEYSTONE_PORT (stdlib threading
server, no access log). Run by .venv-keystone's python as ``python -I keystone_serve.py`` with
OS_KEYSTONE_CONFIG_FILES naming keystone.conf, and no arguments: oslo.config parses sys.argv.
Started by qinling_testing.keystone; imports nothing of Qinling (its venv has only keystone)."""
import os
import socketserver
from wsgiref import simple_server

from keystone.wsgi.api import application


class ThreadingServer(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True


class QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main():
    port = int(os.environ["QINLING_KEYSTONE_PORT"])
    with simple_server.make_server("127.0.0.1", port, application,
                                   ThreadingServer, QuietHandler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
