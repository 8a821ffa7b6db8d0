"""The gateway's HTTP server: aiohttp's, answering even what its parser refuses with a fault.

aiohttp refuses a malformed request line or header (a control character in a header, a raw
non-UTF-8 byte in the path, a line too long, a ``br`` or ``zstd`` body without its decoder
installed) before any middleware runs, with a ``text/plain`` 400. ``FaultRequestHandler``
answers those with Qinling's ``{"faultstring": ...}`` body instead (415 for the encodings), so
every error of the API has one shape. ``serve`` runs the app on it until SIGINT
or SIGTERM (what ``web.run_app`` did, which takes no handler class).
"""
import asyncio
import logging
import signal

from aiohttp import web
from aiohttp.http_exceptions import ContentEncodingError
from aiohttp.web_protocol import RequestHandler, RequestPayloadError

from qinling_api import errors, request_checks

LOG = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def parse_error_message(message):
    """Qinling-style text for aiohttp's parser message (its first line, without the echo of
    the offending bytes that follows)."""
    first = (message or "").strip().splitlines()[0:1]
    reason = first[0].strip().rstrip(":.") if first else ""
    return f"Malformed HTTP request: {reason}." if reason else "Malformed HTTP request."


class FaultRequestHandler(RequestHandler):
    """aiohttp's connection handler, with Qinling's fault body for the errors it answers."""

    def handle_error(self, request, status=500, exc=None, message=None):
        if request.writer.output_size > 0:  # as aiohttp: too late for an answer
            raise ConnectionError("Response is sent already, cannot send another response "
                                  "with the error message")
        if status >= 500:
            LOG.error("error handling a request from %s", request.remote, exc_info=exc)
            response = errors.fault(errors.INTERNAL_ERROR, status)
        elif isinstance(exc, ContentEncodingError):  # br or zstd, no decoder installed
            response = errors.fault(request_checks.unsupported_encoding(), 415)
        else:
            LOG.warning("refused a malformed request from %s: %s", request.remote,
                        parse_error_message(message))
            response = errors.fault(parse_error_message(message), status)
        response.force_close()
        return response


    def log_exception(self, *args, **kwargs):
        """A body that does not decode fails again when aiohttp drains it after the 400 was
        sent (``request_guard``): not worth a traceback."""
        if isinstance(kwargs.get("exc_info"), RequestPayloadError):
            self.logger.debug(*args)
            return
        super().log_exception(*args, **kwargs)


class FaultServer(web.Server):
    def __call__(self):
        return FaultRequestHandler(self, loop=self._loop, **self._kwargs)


class FaultAppRunner(web.AppRunner):
    """An ``AppRunner`` whose connections are ``FaultRequestHandler``s."""

    async def _make_server(self):
        server = await super()._make_server()
        return FaultServer(server.request_handler, request_factory=server.request_factory,
                           handler_cancellation=server.handler_cancellation,
                           loop=server._loop, **server._kwargs)


async def serve(app, host, port, **runner_options):
    """Serve ``app`` on ``host:port`` until SIGINT or SIGTERM, then clean it up."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    runner = FaultAppRunner(app, **runner_options)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        await stop.wait()
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        await runner.cleanup()


def run(app, host, port, **runner_options):
    asyncio.run(serve(app, host, port, **runner_options))
