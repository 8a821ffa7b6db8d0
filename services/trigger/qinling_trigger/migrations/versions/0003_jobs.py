"""jobs: a function run on a cron pattern or once at a time

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

from qinling_nameko.column_types import TABLE_OPTIONS, DateTime, LongText

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(255)),
        sa.Column("project_id", sa.String(80), nullable=False, index=True),
        sa.Column("function_id", sa.String(36), index=True),
        sa.Column("function_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("function_alias", sa.String(255)),
        sa.Column("function_input", LongText),
        sa.Column("pattern", LongText),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("first_execution_time", DateTime),
        sa.Column("next_execution_time", DateTime, nullable=False, index=True),
        sa.Column("count", sa.Integer),
        sa.Column("created_at", DateTime, nullable=False),
        sa.Column("updated_at", DateTime),
        **TABLE_OPTIONS,
    )


def downgrade():
    op.drop_table("jobs")
