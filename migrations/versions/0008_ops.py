"""jobs.first_due_at: when a retried job first became due (job lag for /readyz and /metrics)

Revision ID: 0008_ops
Revises: (see down_revision)
Create Date: 2026-12-03 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_ops"
down_revision = "0007_reliability"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("first_due_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("first_due_at")
