"""incident lifecycle: resolution, reminder/escalation bookkeeping, per-location escalation

Revision ID: 0009_lifecycle
Revises: (see down_revision)
Create Date: 2026-12-03 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_lifecycle"
down_revision = "0008_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolution_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalation_arm", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("escalation_done", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("sla_breached_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("location_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation", sa.JSON(), nullable=True))
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("end_reason")
    with op.batch_alter_table("location_settings", schema=None) as batch_op:
        batch_op.drop_column("escalation")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for column in (
            "sla_breached_at",
            "escalation_done",
            "escalation_arm",
            "notified_at",
            "resolution_note",
            "resolved_at",
        ):
            batch_op.drop_column(column)
