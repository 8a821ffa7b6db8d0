"""a function's Keystone trust, which its asynchronous executions and webhooks act through

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("functions") as batch:
        batch.add_column(sa.Column("trust_id", sa.String(64)))


def downgrade():
    with op.batch_alter_table("functions") as batch:
        batch.drop_column("trust_id")
