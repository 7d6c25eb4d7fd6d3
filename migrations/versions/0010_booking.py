"""booking the room for the claimed visit: location_settings.book_room,
integrations.granted_scopes, bookings

Revision ID: 0010_booking
Revises: (see down_revision)
Create Date: 2026-12-03 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_booking"
down_revision = "0009_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("location_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("book_room", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("integrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("granted_scopes", sa.Text(), nullable=True))
    op.create_table(
        "bookings",
        sa.Column("claim_id", sa.String(length=16), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("incident_id", sa.String(length=128), nullable=False),
        sa.Column("room_email", sa.String(length=320), nullable=False),
        sa.Column("organizer", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=512), nullable=True),
        sa.Column("reason", sa.String(length=256), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("claim_id"),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bookings_incident", ["client_id", "incident_id", "created_at"], unique=False
        )
    # Notification events carry a claim id: "booking_declined#<16 hex>" needs more than 32.
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column(
            "event", existing_type=sa.String(length=32), type_=sa.String(length=64), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column(
            "event", existing_type=sa.String(length=64), type_=sa.String(length=32), existing_nullable=False
        )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_incident")
    op.drop_table("bookings")
    with op.batch_alter_table("integrations", schema=None) as batch_op:
        batch_op.drop_column("granted_scopes")
    with op.batch_alter_table("location_settings", schema=None) as batch_op:
        batch_op.drop_column("book_room")
