"""The trigger service. It owns the jobs, webhooks and event_triggers tables (later issues);
today it answers ``ping``, keeps its database migrated and reports that nothing uses a
function yet."""
from qinling_nameko.database import Database
from qinling_nameko.metrics import ServesMetrics
from qinling_nameko.ping import pong
from qinling_nameko.rpc import rpc


class TriggerService(ServesMetrics):
    name = "trigger"

    db = Database("qinling_trigger")

    @rpc
    def ping(self):
        return pong(self.name)

    @rpc
    def function_usage(self, function_id, version=None):
        """``{"jobs": n, "webhooks": n}``: active jobs and webhooks that run ``function_id``
        (any version when ``version`` is ``None``). Zeros until jobs and webhooks exist."""
        return {"jobs": 0, "webhooks": 0}
