"""The trigger service. It owns the webhooks table (jobs and event_triggers: later issues),
keeps its database migrated and tells the function service what uses a function.

Each entrypoint calls one handler of ``webhooks`` with the ports it uses: the database
session, the caller and the RPC proxies of the function and execution services.
"""
from nameko.rpc import RpcProxy

from qinling_nameko.database import Database
from qinling_nameko.metrics import ServesMetrics
from qinling_nameko.ping import pong
from qinling_nameko.providers import CurrentCaller
from qinling_nameko.rpc import rpc
from qinling_shared.exceptions import QinlingError

from qinling_trigger import webhooks


class TriggerService(ServesMetrics):
    name = "trigger"

    db = Database("qinling_trigger")
    function = RpcProxy("function")
    execution = RpcProxy("execution")
    caller = CurrentCaller()

    @rpc
    def ping(self):
        return pong(self.name)

    @rpc(expected_exceptions=QinlingError)
    def function_usage(self, function_id, version=None):
        """``{"jobs": n, "webhooks": n}``: active jobs and webhooks that run ``function_id``
        (any version when ``version`` is ``None``). No jobs yet."""
        return {"jobs": 0,
                "webhooks": webhooks.function_usage(function_id, version, db=self.db)}

    # -- webhooks -------------------------------------------------------------------------

    @rpc(expected_exceptions=QinlingError)
    def create_webhook(self, values):
        return webhooks.create_webhook(values, db=self.db, caller=self.caller,
                                       function=self.function)

    @rpc(expected_exceptions=QinlingError)
    def list_webhooks(self, query=None):
        return webhooks.list_webhooks(query, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def get_webhook(self, webhook_id):
        return webhooks.get_webhook(webhook_id, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def update_webhook(self, webhook_id, values):
        return webhooks.update_webhook(webhook_id, values, db=self.db, caller=self.caller,
                                       function=self.function)

    @rpc(expected_exceptions=QinlingError)
    def delete_webhook(self, webhook_id):
        webhooks.delete_webhook(webhook_id, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def invoke_webhook(self, webhook_id, body_text, signature_header=None):
        """Unauthenticated: the webhook's id is the credential, with its signature when it
        has a secret. ``{"execution_id": id}`` of the asynchronous execution it submitted."""
        return webhooks.invoke_webhook(webhook_id, body_text, signature_header, db=self.db,
                                       execution=self.execution)
