"""The executions whose message this replica's consumer is handling now.

When a broker connection drops (a RabbitMQ restart), RabbitMQ puts every unacked message back
and delivers it again, possibly to this same replica once it has reconnected, while the first
delivery still runs here. That second delivery must not run the execution a second time: it
waits for the first to end. If the first completed (its outcome or its retry is recorded), the
second is acked and nothing more happens; if the first failed (its requeue was lost with its
connection), the second is handled as a delivery of its own.

A replica only knows its own deliveries: a message delivered again to another replica while
the first still runs here is not seen by this registry (see ``docs/architecture.md``).
"""
from eventlet.event import Event


class InFlight:
    def __init__(self):
        self._ends = {}   # execution id -> Event sent (completed?) when its delivery ends

    def take(self, execution_id):
        """``None`` when this delivery of ``execution_id`` is now the one in flight here;
        else the ``Event`` that the delivery in flight sends when it ends: ``True`` when it
        completed, ``False`` when it failed."""
        running = self._ends.get(execution_id)
        if running is None:
            self._ends[execution_id] = Event()
        return running

    def end(self, execution_id, completed):
        """The delivery in flight of ``execution_id`` ended; wakes the ones waiting for it."""
        ended = self._ends.pop(execution_id, None)
        if ended is not None:
            ended.send(bool(completed))

    def __contains__(self, execution_id):
        return execution_id in self._ends

    def __len__(self):
        return len(self._ends)
