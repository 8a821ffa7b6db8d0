"""The RPC entrypoint of every Qinling service: nameko's ``@rpc`` with the start-by rule.

Nameko acks an RPC request only after it replied, so a request is handed out again when the
replica that took it dies (a redelivery, flagged by the broker); and a request may sit in a
replica's prefetch buffer, or wait for a free Nameko worker, past the time its caller stops
waiting. When the Nameko worker starts (not when the message arrives: a worker may be long in
coming), the entrypoint applies ``qinling_shared.start_by.verdict``:

- a first delivery in time runs; a late one is refused: it is answered with the wire error
  ``Unavailable`` and acked, without running;
- a redelivery in time runs again (the caller still waits): a method must be safe to run
  again, and a create is idempotent by its request key, so a replay answers with what the
  first delivery committed;
- a late redelivery is refused, unless the method is declared ``@rpc(replayable=True)``: then
  it runs with ``delivery=Verdict.LATE_REPLAY`` and may only answer with what its first
  delivery recorded, never start anything new. Such a method takes a ``delivery`` keyword
  argument, and is told ``Verdict.RUN`` or ``Verdict.REPLAY`` the same way.

Requests without a start-by (a service's own RPC proxies) are always in time.

Every service imports ``rpc`` from here, never from ``nameko.rpc``.
"""
import functools
import logging
import time

from nameko import rpc as nameko_rpc
from nameko.exceptions import ContainerBeingKilled, MalformedRequest

from qinling_shared import start_by
from qinling_shared.exceptions import Unavailable

LOG = logging.getLogger(__name__)
DELIVERY_ARGUMENT = "delivery"


def delivery_facts(message):
    """``(redelivered, start_by)`` of a request message, as the broker and its caller set
    them."""
    redelivered = bool(message.delivery_info.get("redelivered", False))
    return redelivered, start_by.parse((message.headers or {}).get(start_by.HEADER))


class Rpc(nameko_rpc.Rpc):
    """nameko's RPC entrypoint; the start-by rule is applied as the Nameko worker starts."""

    def __init__(self, replayable=False, clock=time.time, **kwargs):
        self.replayable, self.clock = replayable, clock
        super().__init__(**kwargs)

    def handle_message(self, body, message):
        try:
            args, kwargs = body["args"], body["kwargs"]
        except KeyError:
            raise MalformedRequest("Message missing `args` or `kwargs`") from None
        self.check_signature(args, kwargs)
        context_data = self.unpack_message_headers(message)
        handle_result = functools.partial(self.handle_result, message)
        try:
            worker_ctx = self.container.spawn_worker(
                self, args, kwargs, context_data=context_data, handle_result=handle_result)
        except ContainerBeingKilled:
            self.rpc_consumer.requeue_message(message)
            return
        # the worker has not run yet (eventlet switches only when this greenlet waits):
        # its service instance calls the guard instead of the method
        method = getattr(worker_ctx.service, self.method_name)
        setattr(worker_ctx.service, self.method_name,
                self.guarded(method, *delivery_facts(message)))

    def guarded(self, method, redelivered, deadline):
        """``method`` behind the start-by rule, decided when it is called."""

        @functools.wraps(method)
        def guard(*args, **kwargs):
            now = self.clock()
            verdict = start_by.verdict(redelivered, deadline, now, self.replayable)
            if verdict is start_by.Verdict.REFUSE:
                LOG.warning("refused %s: %s", self.method_name,
                            start_by.refusal(deadline, now))
                raise Unavailable(start_by.refusal(deadline, now))
            if verdict is not start_by.Verdict.RUN:
                LOG.info("%s of %s", verdict.value, self.method_name)
            if self.replayable:
                kwargs[DELIVERY_ARGUMENT] = verdict
            return method(*args, **kwargs)

        return guard


rpc = Rpc.decorator
