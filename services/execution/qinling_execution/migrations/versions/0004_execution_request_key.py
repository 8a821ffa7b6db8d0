"""the request key of the gateway's request that made an execution: a redelivered create
finds the execution its first delivery made; and the worker an asynchronous run was sent to:
a redelivered run asks it first

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
    with op.batch_alter_table("executions") as batch:
        batch.add_column(sa.Column("request_key", sa.String(64)))
        batch.create_unique_constraint("uq_executions_request_key", ["request_key"])
        batch.add_column(sa.Column("worker_url", sa.String(255)))


def downgrade():
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("worker_url")
        batch.drop_constraint("uq_executions_request_key", type_="unique")
        batch.drop_column("request_key")
