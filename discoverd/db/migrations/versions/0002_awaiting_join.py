"""Remember that Ironic's inspect interface has yet to join an introspection.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("introspections") as batch:
        batch.add_column(sa.Column("awaiting_join", sa.Boolean, nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("introspections") as batch:
        batch.drop_column("awaiting_join")
