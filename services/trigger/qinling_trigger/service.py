"""The trigger service. It owns the webhooks, jobs and event_triggers tables, keeps its
database migrated, fires due jobs (a timer; any number of replicas may run), runs the event
triggers a notification matches (a consumer; replicas share its queue) and tells the
function service what uses a function.

Each entrypoint calls one handler of ``webhooks``, ``jobs``, ``job_firing`` or
``event_triggers`` with the ports it uses: the database session, the caller, the RPC
proxies of the function and execution services, settings, and the time (read here).
"""
import logging

import eventlet

from nameko.rpc import RpcProxy
from nameko.timer import timer

from qinling_nameko.database import Database
from qinling_nameko.keystone import KeystoneProvider
from qinling_nameko.metrics import ServesMetrics
from qinling_nameko.ping import pong
from qinling_nameko.providers import CurrentCaller
from qinling_nameko.rpc import rpc
from qinling_shared import clock
from qinling_shared.context import tenancy
from qinling_shared.exceptions import QinlingError

from qinling_trigger import event_triggers, job_firing, jobs, webhooks
from qinling_trigger.dependencies import ContextData, EventTriggerSettings, JobSettings
from qinling_trigger.notification_consumer import NotificationBindings, notification

LOG = logging.getLogger(__name__)
BINDINGS_REFRESH = 5   # seconds between two checks of the notification bindings


class TriggerService(ServesMetrics):
    name = "trigger"

    db = Database("qinling_trigger")
    function = RpcProxy("function")
    execution = RpcProxy("execution")
    caller = CurrentCaller()
    keystone = KeystoneProvider()
    context_data = ContextData()
    job_settings = JobSettings()
    event_trigger_settings = EventTriggerSettings()
    notification_bindings = NotificationBindings()

    @rpc
    def ping(self):
        return pong(self.name)

    @rpc(expected_exceptions=QinlingError)
    def function_usage(self, function_id, version=None):
        """``{"jobs": n, "webhooks": n, "event_triggers": n}``: active jobs, webhooks and
        event triggers that run ``function_id`` (any version when ``version`` is ``None``)."""
        return {"jobs": jobs.function_usage(function_id, version, db=self.db),
                "webhooks": webhooks.function_usage(function_id, version, db=self.db),
                "event_triggers": event_triggers.function_usage(function_id, version,
                                                                db=self.db)}

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
    def invoke_webhook(self, webhook_id, body_text, signature_header=None,
                       idempotency_key=None, request_key=None):
        """Unauthenticated: the webhook's id is the credential, with its signature when it
        has a secret. ``{"execution_id": id}`` of the asynchronous execution it submitted
        (the first one again for a repeated key: the client's, or the gateway's request's)."""
        return webhooks.invoke_webhook(webhook_id, body_text, signature_header, db=self.db,
                                       submit=self.submit_as_project,
                                       idempotency_key=idempotency_key,
                                       request_key=request_key)

    # -- jobs -----------------------------------------------------------------------------

    @rpc(expected_exceptions=QinlingError)
    def create_job(self, values):
        return jobs.create_job(values, db=self.db, caller=self.caller, function=self.function,
                               now=clock.utcnow(), keystone=self.keystone)

    @rpc(expected_exceptions=QinlingError)
    def list_jobs(self, query=None):
        return jobs.list_jobs(query, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def get_job(self, job_id):
        return jobs.get_job(job_id, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def update_job(self, job_id, values):
        return jobs.update_job(job_id, values, db=self.db, caller=self.caller,
                               now=clock.utcnow())

    @rpc(expected_exceptions=QinlingError)
    def delete_job(self, job_id):
        jobs.delete_job(job_id, db=self.db, caller=self.caller, keystone=self.keystone)

    @timer(interval=job_firing.POLL_INTERVAL)
    def fire_due_jobs(self):
        """Fire the due ticks; then, when a tick falls before the next poll, wait for it
        and fire it on time (a tick is then late by milliseconds, not up to a poll)."""
        job_firing.fire_due_jobs(self.db, self.submit_as_project, clock.utcnow(),
                                 **self.job_settings)
        wait = job_firing.next_due_in(self.db, clock.utcnow())
        if wait is not None:
            eventlet.sleep(wait)
            job_firing.fire_due_jobs(self.db, self.submit_as_project, clock.utcnow(),
                                     **self.job_settings)

    def submit_as_project(self, project_id, values, idempotency_key, request_key=None,
                          trust_id=None):
        """An async execution submitted as the project of the job, webhook or event trigger
        that starts it (an alias is that project's), acting through its trust (a webhook's
        executions: its function's)."""
        self.context_data.update(
            (key, value) for key, value in tenancy(project_id, trust_id=trust_id).items()
            if value is not None)
        return self.execution.create_execution(values, idempotency_key=idempotency_key,
                                               request_key=request_key)

    # -- event triggers -------------------------------------------------------------------

    @rpc(expected_exceptions=QinlingError)
    def create_event_trigger(self, values):
        created = event_triggers.create_event_trigger(
            values, db=self.db, caller=self.caller, function=self.function,
            keystone=self.keystone, **self.event_trigger_settings)
        self.bind_notifications()
        return created

    @rpc(expected_exceptions=QinlingError)
    def list_event_triggers(self, query=None):
        return event_triggers.list_event_triggers(query, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def get_event_trigger(self, trigger_id):
        return event_triggers.get_event_trigger(trigger_id, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def update_event_trigger(self, trigger_id, values):
        updated = event_triggers.update_event_trigger(
            trigger_id, values, db=self.db, caller=self.caller, function=self.function,
            **self.event_trigger_settings)
        self.bind_notifications()
        return updated

    @rpc(expected_exceptions=QinlingError)
    def delete_event_trigger(self, trigger_id):
        event_triggers.delete_event_trigger(trigger_id, db=self.db, caller=self.caller,
                                            keystone=self.keystone)
        self.bind_notifications()

    @notification
    def handle_notification(self, body, exchange, routing_key):
        return event_triggers.handle_notification(body, exchange, routing_key, db=self.db,
                                                  submit=self.submit_as_project)

    @timer(interval=BINDINGS_REFRESH, eager=True)
    def refresh_notification_bindings(self):
        """Follow what other replicas changed: this replica's bindings are the ones it
        declares again at each reconnection (a restarted broker forgot them)."""
        self.bind_notifications()

    def bind_notifications(self):
        """Bind the shared queue as the event triggers need now. A trigger is saved even
        when the broker refuses: the next refresh binds it."""
        try:
            self.notification_bindings(lambda: event_triggers.bindings(self.db))
        except Exception:  # noqa: BLE001 - retried by the refresh timer
            LOG.exception("notifications: the bindings could not be applied")
