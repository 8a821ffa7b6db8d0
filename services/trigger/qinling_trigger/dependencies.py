"""Nameko providers of the trigger service: its ``[trigger]`` settings and the context data
of the current worker (the scheduler sets the job's project there before it submits)."""
import datetime

from nameko.extensions import DependencyProvider

from qinling_trigger import schedule


class JobSettings(DependencyProvider):
    """``{"grace": timedelta, "catch_up": int}`` from config key ``TRIGGER`` (absent:
    the defaults of ``[trigger]``)."""

    def setup(self):
        values = self.container.config.get("TRIGGER") or {}
        self.settings = {
            "grace": datetime.timedelta(seconds=int(values.get(
                "job_grace", schedule.DEFAULT_GRACE.total_seconds()))),
            "catch_up": int(values.get("job_catch_up", 0))}

    def get_dependency(self, worker_ctx):
        return dict(self.settings)


class ContextData(DependencyProvider):
    """The worker's own context data dict (``worker_ctx.data``; ``context_data`` is a copy
    of it that RPC proxies build into headers at each call)."""

    def get_dependency(self, worker_ctx):
        return worker_ctx.data
