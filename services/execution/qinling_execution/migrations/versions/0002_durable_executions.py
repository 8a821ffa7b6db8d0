"""durable asynchronous executions: queued flag, retry count, deadline, idempotency key

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

from qinling_nameko.column_types import DateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("executions") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(255)))
        batch.add_column(sa.Column("queued", sa.Boolean, nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("deadline_at", DateTime))
        batch.create_unique_constraint("uq_executions_idempotency_key",
                                       ["project_id", "idempotency_key"])
    # Asynchronous executions still running were handed over by a non-durable RPC cast:
    # marked unqueued, the service queues them again.
    op.execute("UPDATE executions SET queued = false WHERE sync = false AND status = 'running'")


def downgrade():
    with op.batch_alter_table("executions") as batch:
        batch.drop_constraint("uq_executions_idempotency_key", type_="unique")
        batch.drop_column("deadline_at")
        batch.drop_column("attempts")
        batch.drop_column("queued")
        batch.drop_column("idempotency_key")
