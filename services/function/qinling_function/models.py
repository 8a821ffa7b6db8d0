"""Tables owned by the function service."""
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from qinling_shared import clock


class Base(DeclarativeBase):
    pass


class Function(Base):
    __tablename__ = "functions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.String(255))
    runtime_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    code: Mapped[dict] = mapped_column(sa.JSON)
    entry: Mapped[str | None] = mapped_column(sa.String(80))
    cpu: Mapped[int] = mapped_column(sa.Integer)
    memory_size: Mapped[int] = mapped_column(sa.BigInteger)
    timeout: Mapped[int] = mapped_column(sa.Integer)
    count: Mapped[int] = mapped_column(sa.Integer, default=0)
    latest_version: Mapped[int] = mapped_column(sa.Integer, default=0)
    package_key: Mapped[str | None] = mapped_column(sa.String(255))
    package_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    package_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[sa.DateTime] = mapped_column(sa.DateTime, default=clock.utcnow)
    updated_at: Mapped[sa.DateTime | None] = mapped_column(sa.DateTime, onupdate=clock.utcnow)

    def to_dict(self):
        """The function as Qinling's API shows it."""
        return {
            "id": self.id, "name": self.name, "description": self.description,
            "cpu": self.cpu, "memory_size": self.memory_size, "timeout": self.timeout,
            "runtime_id": self.runtime_id, "code": self.code, "entry": self.entry,
            "count": self.count, "latest_version": self.latest_version,
            "project_id": self.project_id,
            "created_at": clock.render(self.created_at),
            "updated_at": clock.render(self.updated_at),
        }

    def to_spec(self):
        """What the execution service needs to run the function."""
        return {
            "id": self.id, "project_id": self.project_id, "runtime_id": self.runtime_id,
            "entry": self.entry, "cpu": self.cpu, "memory_size": self.memory_size,
            "timeout": self.timeout, "code": self.code, "package_key": self.package_key,
            "package_sha256": self.package_sha256,
            "updated_at": clock.render(self.updated_at or self.created_at),
        }
