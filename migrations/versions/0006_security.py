"""security: link requests (bounded `link` codes per Teams account and per address)

Revision ID: 0006_security
Revises: 0005
Create Date: 2026-12-03 06:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_security"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("teams_user_id", sa.String(length=256), nullable=False),
        sa.Column("email_lower", sa.String(length=320), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("link_requests", schema=None) as batch_op:
        batch_op.create_index("ix_link_requests_teams_user", ["teams_user_id", "requested_at"], unique=False)
        batch_op.create_index("ix_link_requests_email", ["email_lower", "requested_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("link_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_link_requests_email")
        batch_op.drop_index("ix_link_requests_teams_user")
    op.drop_table("link_requests")
