"""function versions and aliases; package md5 and a version counter on functions

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

from qinling_nameko.column_types import TABLE_OPTIONS, DateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("functions") as batch:
        batch.add_column(sa.Column("package_md5", sa.String(64)))
        batch.add_column(sa.Column("version_counter", sa.Integer, nullable=False,
                                   server_default="0"))
        batch.alter_column("package_key", type_=sa.String(1100), existing_type=sa.String(255))
    op.execute("UPDATE functions SET version_counter = latest_version")
    backfill_md5()
    op.create_table(
        "function_versions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(80), nullable=False, index=True),
        sa.Column("function_id", sa.String(36),
                  sa.ForeignKey("functions.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("version_number", sa.Integer, nullable=False),
        sa.Column("description", sa.String(255)),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("code", sa.JSON, nullable=False),
        sa.Column("entry", sa.String(80)),
        sa.Column("runtime_id", sa.String(36)),
        sa.Column("cpu", sa.Integer, nullable=False),
        sa.Column("memory_size", sa.BigInteger, nullable=False),
        sa.Column("timeout", sa.Integer, nullable=False),
        sa.Column("package_key", sa.String(1100)),
        sa.Column("package_sha256", sa.String(64)),
        sa.Column("package_md5", sa.String(64)),
        sa.Column("package_size", sa.BigInteger),
        sa.Column("created_at", DateTime, nullable=False),
        sa.Column("updated_at", DateTime),
        sa.UniqueConstraint("function_id", "version_number"),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "function_aliases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(80), nullable=False, index=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("function_id", sa.String(36), sa.ForeignKey("functions.id"), nullable=False,
                  index=True),
        sa.Column("function_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("description", sa.String(255)),
        sa.Column("created_at", DateTime, nullable=False),
        sa.Column("updated_at", DateTime),
        sa.UniqueConstraint("project_id", "name"),
        **TABLE_OPTIONS,
    )


def backfill_md5():
    """Package functions created before this revision keep their md5 in ``code`` only."""
    functions = sa.table("functions", sa.column("id", sa.String), sa.column("code", sa.JSON),
                         sa.column("package_md5", sa.String))
    connection = op.get_bind()
    for row in connection.execute(sa.select(functions.c.id, functions.c.code)).all():
        md5sum = (row.code or {}).get("md5sum")
        if md5sum:
            connection.execute(functions.update().where(functions.c.id == row.id)
                               .values(package_md5=md5sum))


def downgrade():
    op.drop_table("function_aliases")
    op.drop_table("function_versions")
    with op.batch_alter_table("functions") as batch:
        batch.alter_column("package_key", type_=sa.String(255), existing_type=sa.String(1100))
        batch.drop_column("version_counter")
        batch.drop_column("package_md5")
