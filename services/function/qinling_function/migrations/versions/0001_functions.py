"""functions table

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

from qinling_nameko.column_types import TABLE_OPTIONS, DateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "functions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(80), nullable=False, index=True),
        sa.Column("name", sa.String(255)),
        sa.Column("description", sa.String(255)),
        sa.Column("runtime_id", sa.String(36), index=True),
        sa.Column("code", sa.JSON, nullable=False),
        sa.Column("entry", sa.String(80)),
        sa.Column("cpu", sa.Integer, nullable=False),
        sa.Column("memory_size", sa.BigInteger, nullable=False),
        sa.Column("timeout", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("latest_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("package_key", sa.String(255)),
        sa.Column("package_sha256", sa.String(64)),
        sa.Column("package_size", sa.BigInteger),
        sa.Column("created_at", DateTime, nullable=False),
        sa.Column("updated_at", DateTime),
        **TABLE_OPTIONS,
    )


def downgrade():
    op.drop_table("functions")
