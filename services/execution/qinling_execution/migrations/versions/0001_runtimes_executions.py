"""runtimes and executions tables

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

from qinling_nameko.column_types import TABLE_OPTIONS, DateTime, LongText

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "runtimes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(80), nullable=False, index=True),
        sa.Column("name", sa.String(255)),
        sa.Column("description", sa.String(255)),
        sa.Column("image", sa.String(255), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("is_public", sa.Boolean, nullable=False),
        sa.Column("trusted", sa.Boolean, nullable=False),
        sa.Column("created_at", DateTime, nullable=False),
        sa.Column("updated_at", DateTime),
        **TABLE_OPTIONS,
    )
    op.create_table(
        "executions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(80), nullable=False, index=True),
        sa.Column("function_id", sa.String(36), nullable=False, index=True),
        sa.Column("function_version", sa.Integer, nullable=False),
        sa.Column("function_alias", sa.String(255)),
        sa.Column("description", sa.String(255)),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("sync", sa.Boolean, nullable=False),
        sa.Column("input", sa.JSON),
        sa.Column("result", sa.JSON),
        sa.Column("logs", LongText),
        sa.Column("created_at", DateTime, nullable=False),
        sa.Column("updated_at", DateTime),
        **TABLE_OPTIONS,
    )


def downgrade():
    op.drop_table("executions")
    op.drop_table("runtimes")
