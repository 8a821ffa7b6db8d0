"""a function's own maximum of retries of its asynchronous executions

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("functions") as batch:
        batch.add_column(sa.Column("max_retries", sa.Integer))


def downgrade():
    with op.batch_alter_table("functions") as batch:
        batch.drop_column("max_retries")
