"""event_triggers: a function run when an OpenStack notification matches

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

from qinling_nameko.column_types import TABLE_OPTIONS, DateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_triggers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(255)),
        sa.Column("description", sa.String(255)),
        sa.Column("project_id", sa.String(80), nullable=False, index=True),
        sa.Column("function_id", sa.String(36), index=True),
        sa.Column("function_version", sa.Integer),
        sa.Column("function_alias", sa.String(255)),
        sa.Column("event_type", sa.String(255), nullable=False),
        sa.Column("exchanges", sa.JSON, nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("all_projects", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", DateTime, nullable=False),
        sa.Column("updated_at", DateTime),
        **TABLE_OPTIONS,
    )


def downgrade():
    op.drop_table("event_triggers")
