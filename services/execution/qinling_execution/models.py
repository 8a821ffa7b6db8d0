"""Tables owned by the execution service."""
import json

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from qinling_nameko.column_types import TABLE_OPTIONS, DateTime, LongText
from qinling_shared import clock


class Base(DeclarativeBase):
    pass


class Runtime(Base):
    __tablename__ = "runtimes"
    __table_args__ = TABLE_OPTIONS

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.String(255))
    image: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(32))
    is_public: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    trusted: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[sa.DateTime] = mapped_column(DateTime, default=clock.utcnow)
    updated_at: Mapped[sa.DateTime | None] = mapped_column(DateTime, onupdate=clock.utcnow)

    def to_dict(self):
        return {
            "id": self.id, "name": self.name, "description": self.description,
            "image": self.image, "status": self.status, "is_public": self.is_public,
            "trusted": self.trusted, "project_id": self.project_id,
            "created_at": clock.render(self.created_at),
            "updated_at": clock.render(self.updated_at),
        }


class Execution(Base):
    """One execution. ``running`` is left exactly once, by a compare-and-set UPDATE
    (``transitions``). Asynchronous ones are ``queued`` once RabbitMQ confirmed their message;
    ``attempts`` counts the retries after platform failures, ``deliveries`` the times a
    consumer took one of its messages; a synchronous one's
    ``deadline_at`` is when its caller stops waiting. ``request_key`` is the gateway's key of
    the request that made it (one per HTTP request), ``idempotency_key`` the client's.
    ``worker_url`` is the worker an asynchronous run was last sent to, written before it is
    sent: a later take of its message asks that worker first (``recalls``)."""
    __tablename__ = "executions"
    __table_args__ = (sa.UniqueConstraint("project_id", "idempotency_key",
                                          name="uq_executions_idempotency_key"),
                      sa.UniqueConstraint("request_key", name="uq_executions_request_key"),
                      TABLE_OPTIONS)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    function_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    function_version: Mapped[int] = mapped_column(sa.Integer, default=0)
    function_alias: Mapped[str | None] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(32), index=True)
    sync: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    input: Mapped[dict | None] = mapped_column(sa.JSON)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    logs: Mapped[str | None] = mapped_column(LongText)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(255))
    request_key: Mapped[str | None] = mapped_column(sa.String(64))
    queued: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    deliveries: Mapped[int] = mapped_column(sa.Integer, default=0)
    worker_url: Mapped[str | None] = mapped_column(sa.String(255))
    # the Keystone trust an asynchronous run acts through: its job's, its event trigger's or
    # its function's (with Keystone on: qinling_nameko.keystone)
    trust_id: Mapped[str | None] = mapped_column(sa.String(64))
    deadline_at: Mapped[sa.DateTime | None] = mapped_column(DateTime)
    created_at: Mapped[sa.DateTime] = mapped_column(DateTime, default=clock.utcnow)
    updated_at: Mapped[sa.DateTime | None] = mapped_column(DateTime, onupdate=clock.utcnow)

    def to_dict(self):
        """Qinling's execution object; ``input`` rendered as a string, as Qinling did."""
        return {
            "id": self.id, "function_id": self.function_id,
            "function_version": self.function_version, "function_alias": self.function_alias,
            "description": self.description, "status": self.status, "sync": self.sync,
            "input": render_input(self.input), "result": self.result or {},
            "project_id": self.project_id,
            "created_at": clock.render(self.created_at),
            "updated_at": clock.render(self.updated_at),
        }


def render_input(stored):
    if stored is None:
        return None
    if isinstance(stored, dict) and set(stored) == {"__function_input"}:
        return stored["__function_input"]
    return json.dumps(stored)
