"""Initial schema: introspections, attributes, introspection_data, rules.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "introspections",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("manage_boot", sa.Boolean, nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "attributes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.String(36),
                  sa.ForeignKey("introspections.uuid", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
    )
    op.create_index("ix_attributes_name_value", "attributes", ["name", "value"])
    op.create_table(
        "introspection_data",
        sa.Column("uuid", sa.String(36),
                  sa.ForeignKey("introspections.uuid", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("processed", sa.Boolean, primary_key=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("stored_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "rules",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("conditions", sa.JSON, nullable=False),
        sa.Column("actions", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("rules", "introspection_data", "attributes", "introspections"):
        op.drop_table(table)
