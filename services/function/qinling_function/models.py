"""Tables owned by the function service: functions, their versions and their aliases."""
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from qinling_nameko.column_types import TABLE_OPTIONS, DateTime
from qinling_shared import clock

# What a version freezes, and what decides whether anything changed since the last one
# (the package itself is copied: same bytes and hashes, another key).
SNAPSHOT_FIELDS = ("code", "entry", "runtime_id", "cpu", "memory_size", "timeout",
                   "package_md5", "package_sha256")


class Base(DeclarativeBase):
    pass


class Runnable:
    """What runs: the configuration and package a function has and a version freezes."""

    runtime_id: Mapped[str | None] = mapped_column(sa.String(36))
    code: Mapped[dict] = mapped_column(sa.JSON)
    entry: Mapped[str | None] = mapped_column(sa.String(80))
    cpu: Mapped[int] = mapped_column(sa.Integer)
    memory_size: Mapped[int] = mapped_column(sa.BigInteger)
    timeout: Mapped[int] = mapped_column(sa.Integer)
    package_key: Mapped[str | None] = mapped_column(sa.String(1100))
    package_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    package_md5: Mapped[str | None] = mapped_column(sa.String(64))
    package_size: Mapped[int | None] = mapped_column(sa.BigInteger)

    def snapshot(self):
        return {field: getattr(self, field) for field in SNAPSHOT_FIELDS}


class Function(Runnable, Base):
    __tablename__ = "functions"
    __table_args__ = TABLE_OPTIONS

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.String(255))
    runtime_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    count: Mapped[int] = mapped_column(sa.Integer, default=0)
    # retries of an async execution after platform failures; None: the execution service's
    # default (not in Qinling)
    max_retries: Mapped[int | None] = mapped_column(sa.Integer)
    # the Keystone trust of its creator that its asynchronous executions and webhooks act
    # through (with Keystone on: qinling_nameko.keystone)
    trust_id: Mapped[str | None] = mapped_column(sa.String(64))
    # the highest existing version number (Qinling's field); ``version_counter`` only grows
    latest_version: Mapped[int] = mapped_column(sa.Integer, default=0)
    version_counter: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[sa.DateTime] = mapped_column(DateTime, default=clock.utcnow)
    updated_at: Mapped[sa.DateTime | None] = mapped_column(DateTime, onupdate=clock.utcnow)

    @property
    def source(self):
        return self.code["source"]

    def to_dict(self):
        """The function as Qinling's API shows it."""
        return {
            "id": self.id, "name": self.name, "description": self.description,
            "cpu": self.cpu, "memory_size": self.memory_size, "timeout": self.timeout,
            "runtime_id": self.runtime_id, "code": self.code, "entry": self.entry,
            "count": self.count, "latest_version": self.latest_version,
            "max_retries": self.max_retries, "project_id": self.project_id,
            "created_at": clock.render(self.created_at),
            "updated_at": clock.render(self.updated_at),
        }

    def to_spec(self):
        """What the execution service needs to run the live function (version 0), and the
        retry maximum of its asynchronous executions (whatever version they run)."""
        return {**spec(self, self.id, 0, self.updated_at or self.created_at),
                "max_retries": self.max_retries}


class FunctionVersion(Runnable, Base):
    """An immutable snapshot of a package function: code (a copy of the package) and config."""
    __tablename__ = "function_versions"
    __table_args__ = (sa.UniqueConstraint("function_id", "version_number"), TABLE_OPTIONS)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    function_id: Mapped[str] = mapped_column(
        sa.String(36), sa.ForeignKey("functions.id", ondelete="CASCADE"), index=True)
    version_number: Mapped[int] = mapped_column(sa.Integer)
    description: Mapped[str | None] = mapped_column(sa.String(255))
    count: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[sa.DateTime] = mapped_column(DateTime, default=clock.utcnow)
    updated_at: Mapped[sa.DateTime | None] = mapped_column(DateTime, onupdate=clock.utcnow)

    def to_dict(self):
        return {
            "id": self.id, "description": self.description, "function_id": self.function_id,
            "version_number": self.version_number, "count": self.count,
            "project_id": self.project_id,
            "created_at": clock.render(self.created_at),
            "updated_at": clock.render(self.updated_at),
        }

    def to_spec(self):
        return spec(self, self.function_id, self.version_number, self.created_at)


class FunctionAlias(Base):
    """A project-unique name for (function, version); resolved when it is used."""
    __tablename__ = "function_aliases"
    __table_args__ = (sa.UniqueConstraint("project_id", "name"), TABLE_OPTIONS)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    function_id: Mapped[str] = mapped_column(
        sa.String(36), sa.ForeignKey("functions.id"), index=True)
    function_version: Mapped[int] = mapped_column(sa.Integer, default=0)
    description: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[sa.DateTime] = mapped_column(DateTime, default=clock.utcnow)
    updated_at: Mapped[sa.DateTime | None] = mapped_column(DateTime, onupdate=clock.utcnow)

    def to_dict(self):
        return {
            "id": self.id, "name": self.name, "description": self.description,
            "function_id": self.function_id, "function_version": self.function_version,
            "project_id": self.project_id,
            "created_at": clock.render(self.created_at),
            "updated_at": clock.render(self.updated_at),
        }


def spec(row, function_id, version, changed_at):
    """The runnable spec of a function (``row`` = the function or one of its versions)."""
    return {
        "id": function_id, "project_id": row.project_id, "version": version,
        "runtime_id": row.runtime_id, "entry": row.entry, "cpu": row.cpu,
        "memory_size": row.memory_size, "timeout": row.timeout, "code": row.code,
        "package_key": row.package_key, "package_sha256": row.package_sha256,
        "package_md5": row.package_md5, "updated_at": clock.render(changed_at),
    }
