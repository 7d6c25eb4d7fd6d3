"""reliability: the previous webhook secret keeps verifying for 24 hours after a rotation

Revision ID: 0007_reliability
Revises: (see down_revision)
Create Date: 2026-12-03 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_reliability"
down_revision = "0006_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("previous_webhook_secret_enc", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("previous_webhook_secret_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("previous_webhook_secret_until")
        batch.drop_column("previous_webhook_secret_enc")
