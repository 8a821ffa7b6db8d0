"""webhooks: a URL that runs a function version or an alias, optionally signed

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
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(80), nullable=False, index=True),
        sa.Column("function_id", sa.String(36), index=True),
        sa.Column("function_version", sa.Integer),
        sa.Column("function_alias", sa.String(255)),
        sa.Column("description", sa.String(255)),
        sa.Column("secret", sa.String(255)),
        sa.Column("created_at", DateTime, nullable=False),
        sa.Column("updated_at", DateTime),
        **TABLE_OPTIONS,
    )


def downgrade():
    op.drop_table("webhooks")
