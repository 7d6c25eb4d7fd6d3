"""claims: one active claim per incident (partial unique index), used claim links

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 03:01:22.885927
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ACTIVE = "released_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("incident_id", sa.String(length=128), nullable=False),
        sa.Column("slot_id", sa.String(length=64), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slot_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=True),
        sa.Column("claimer_name", sa.String(length=256), nullable=False),
        sa.Column("claimer_email", sa.String(length=320), nullable=True),
        sa.Column("provider_id", sa.String(length=128), nullable=True),
        sa.Column("provider_name", sa.String(length=256), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("teams_user_id", sa.String(length=256), nullable=True),
        sa.Column("token_sha256", sa.String(length=64), nullable=True),
        sa.Column("previous_status", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by_user_id", sa.String(length=128), nullable=True),
        sa.Column("released_by_name", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id", "incident_id"], ["incidents.client_id", "incidents.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_incident", ["client_id", "incident_id", "claimed_at"], unique=False)
        batch_op.create_index(
            "ux_claims_active",
            ["client_id", "incident_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE),
            postgresql_where=sa.text(ACTIVE),
        )
        batch_op.create_index("ux_claims_token", ["token_sha256"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ux_claims_token")
        batch_op.drop_index("ux_claims_active")
        batch_op.drop_index("ix_claims_incident")

    op.drop_table("claims")
