"""Tables owned by the trigger service: webhooks, jobs and event triggers."""
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from qinling_nameko.column_types import TABLE_OPTIONS, DateTime, LongText
from qinling_shared import clock


class Base(DeclarativeBase):
    pass


class Webhook(Base):
    """A URL that runs a function (or the version an alias names when it is invoked)."""
    __tablename__ = "webhooks"
    __table_args__ = TABLE_OPTIONS

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    function_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    # null with an alias; 0 (the live code) when omitted (webhook_rules), where Qinling
    # stored null and its invoke crashed on it
    function_version: Mapped[int | None] = mapped_column(sa.Integer)
    function_alias: Mapped[str | None] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.String(255))
    # write-only: never in to_dict
    secret: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[sa.DateTime] = mapped_column(DateTime, default=clock.utcnow)
    updated_at: Mapped[sa.DateTime | None] = mapped_column(DateTime, onupdate=clock.utcnow)

    def to_dict(self):
        """The webhook as Qinling's API shows it, less ``webhook_url`` (the gateway knows its
        public URL) and never the secret."""
        return {
            "id": self.id, "function_id": self.function_id,
            "function_version": self.function_version, "function_alias": self.function_alias,
            "description": self.description, "project_id": self.project_id,
            "created_at": clock.render(self.created_at),
            "updated_at": clock.render(self.updated_at),
        }

    def target(self):
        """What the execution service is asked to run: the alias, or the function version."""
        if self.function_alias:
            return {"function_alias": self.function_alias}
        return {"function_id": self.function_id, "function_version": self.function_version}


class Job(Base):
    """A function run on a cron pattern or once at a time (``job_rules``, ``job_status`` and
    ``job_ticks`` hold the rules)."""
    __tablename__ = "jobs"
    __table_args__ = TABLE_OPTIONS

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(255))
    project_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    # the Keystone trust of its creator its executions act through (qinling_nameko.keystone)
    trust_id: Mapped[str | None] = mapped_column(sa.String(64))
    function_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    function_version: Mapped[int] = mapped_column(sa.Integer, default=0)
    function_alias: Mapped[str | None] = mapped_column(sa.String(255))
    # no length cut (Qinling: 255 and 32 characters)
    function_input: Mapped[str | None] = mapped_column(LongText)
    pattern: Mapped[str | None] = mapped_column(LongText)
    status: Mapped[str] = mapped_column(sa.String(32), index=True)
    first_execution_time: Mapped[sa.DateTime | None] = mapped_column(DateTime)
    # the claim's compare-and-set column (see ``job_firing.claim``)
    next_execution_time: Mapped[sa.DateTime] = mapped_column(DateTime, index=True)
    count: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[sa.DateTime] = mapped_column(DateTime, default=clock.utcnow)
    updated_at: Mapped[sa.DateTime | None] = mapped_column(DateTime, onupdate=clock.utcnow)

    def to_dict(self):
        """The job as Qinling's API shows it."""
        return {
            "id": self.id, "name": self.name, "project_id": self.project_id,
            "function_id": self.function_id, "function_version": self.function_version,
            "function_alias": self.function_alias, "function_input": self.function_input,
            "pattern": self.pattern, "status": self.status, "count": self.count,
            "first_execution_time": clock.render(self.first_execution_time),
            "next_execution_time": clock.render(self.next_execution_time),
            "created_at": clock.render(self.created_at),
            "updated_at": clock.render(self.updated_at),
        }

    def schedule_fields(self):
        """The mapping ``job_rules.job_changes`` and ``job_ticks.plan_ticks`` read."""
        return {"status": self.status, "pattern": self.pattern, "count": self.count,
                "next_execution_time": self.next_execution_time}

    def target(self):
        """What the execution service is asked to run: the alias (resolved when the job
        fires), or the function version."""
        if self.function_alias:
            return {"function_alias": self.function_alias}
        return {"function_id": self.function_id, "function_version": self.function_version}


class EventTrigger(Base):
    """A function run when an OpenStack notification matches (``notifications`` holds the
    rules)."""
    __tablename__ = "event_triggers"
    __table_args__ = TABLE_OPTIONS

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.String(255))
    project_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    # the Keystone trust of its creator its executions act through (qinling_nameko.keystone)
    trust_id: Mapped[str | None] = mapped_column(sa.String(64))
    function_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    function_version: Mapped[int | None] = mapped_column(sa.Integer)
    function_alias: Mapped[str | None] = mapped_column(sa.String(255))
    event_type: Mapped[str] = mapped_column(sa.String(255))
    exchanges: Mapped[list] = mapped_column(sa.JSON)
    topics: Mapped[list] = mapped_column(sa.JSON)
    filters: Mapped[dict] = mapped_column(sa.JSON)
    all_projects: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[sa.DateTime] = mapped_column(DateTime, default=clock.utcnow)
    updated_at: Mapped[sa.DateTime | None] = mapped_column(DateTime, onupdate=clock.utcnow)

    def to_dict(self):
        return {
            "id": self.id, "name": self.name, "description": self.description,
            "project_id": self.project_id, "function_id": self.function_id,
            "function_version": self.function_version, "function_alias": self.function_alias,
            "event_type": self.event_type, "exchanges": list(self.exchanges),
            "topics": list(self.topics), "filters": dict(self.filters),
            "all_projects": self.all_projects,
            "created_at": clock.render(self.created_at),
            "updated_at": clock.render(self.updated_at),
        }

    def target(self):
        """What the execution service is asked to run: the alias (resolved when a
        notification matches), or the function version."""
        if self.function_alias:
            return {"function_alias": self.function_alias}
        return {"function_id": self.function_id, "function_version": self.function_version}
