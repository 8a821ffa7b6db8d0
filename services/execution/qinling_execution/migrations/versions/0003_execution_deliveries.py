"""how many times the execution queue's consumers took an asynchronous execution

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
    with op.batch_alter_table("executions") as batch:
        batch.add_column(sa.Column("deliveries", sa.Integer, nullable=False,
                                   server_default="0"))


def downgrade():
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("deliveries")
