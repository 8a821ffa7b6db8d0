"""Nameko providers of the trigger service: its ``[trigger]`` settings and the context data
of the current worker (the scheduler and the notification handler set the project there
before they submit)."""
import datetime

from nameko.extensions import DependencyProvider

from qinling_trigger import event_trigger_rules, job_ticks


class JobSettings(DependencyProvider):
    """``{"grace": timedelta, "catch_up": int}`` from config key ``TRIGGER`` (absent:
    the defaults of ``[trigger]``)."""

    def setup(self):
        values = self.container.config.get("TRIGGER") or {}
        self.settings = {
            "grace": datetime.timedelta(seconds=int(values.get(
                "job_grace", job_ticks.DEFAULT_GRACE.total_seconds()))),
            "catch_up": int(values.get("job_catch_up", 0))}

    def get_dependency(self, worker_ctx):
        return dict(self.settings)


class EventTriggerSettings(DependencyProvider):
    """``{"default_exchanges": tuple}``: the exchanges of an event trigger that names none
    (``[trigger] notification_exchanges``)."""

    def setup(self):
        values = self.container.config.get("TRIGGER") or {}
        self.settings = {"default_exchanges": tuple(values.get(
            "notification_exchanges") or event_trigger_rules.DEFAULT_EXCHANGES)}

    def get_dependency(self, worker_ctx):
        return dict(self.settings)


class ContextData(DependencyProvider):
    """The worker's own context data dict (``worker_ctx.data``; ``context_data`` is a copy
    of it that RPC proxies build into headers at each call)."""

    def get_dependency(self, worker_ctx):
        return worker_ctx.data
