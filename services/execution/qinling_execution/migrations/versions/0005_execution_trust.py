"""the Keystone trust an asynchronous execution acts through (its job's, its event
trigger's or its function's)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("executions") as batch:
        batch.add_column(sa.Column("trust_id", sa.String(64)))


def downgrade():
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("trust_id")
