"""directory, integration settings, bot state, conversation references

Revision ID: 0001
Revises:
Create Date: 2026-11-24 02:03:40.536046
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "bot_state",
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("notify_email", sa.String(length=320), nullable=True),
        sa.Column("webhook_secret_enc", sa.Text(), nullable=False),
        sa.Column("api_key_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("api_key_sha256"),
    )
    op.create_table(
        "conversation_refs",
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("conversation_type", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("team_id", sa.String(length=512), nullable=True),
        sa.Column("channel_name", sa.String(length=256), nullable=True),
        sa.Column("user_aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    with op.batch_alter_table("conversation_refs", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_refs_user", ["user_aad_object_id"], unique=False)

    op.create_table(
        "integrations",
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("calendar_owner", sa.String(length=320), nullable=True),
        sa.Column("calendar_id", sa.String(length=512), nullable=True),
        sa.Column("signed_in_upn", sa.String(length=320), nullable=True),
        sa.Column("token_cache_enc", sa.Text(), nullable=True),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("needs_reconnect", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id"),
    )
    op.create_table(
        "locations",
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("business_hours", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id", "id"),
    )
    op.create_table(
        "service_providers",
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("location_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id", "id"),
    )
    op.create_table(
        "users",
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_lower", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("service_provider_id", sa.String(length=128), nullable=True),
        sa.Column("notify", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id", "id"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_aad_object_id", ["aad_object_id"], unique=False)
        batch_op.create_index("ix_users_email_lower", ["email_lower"], unique=False)

    op.create_table(
        "location_settings",
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("location_id", sa.String(length=128), nullable=False),
        sa.Column("scheduling", sa.Boolean(), nullable=False),
        sa.Column("service_provider_id", sa.String(length=128), nullable=True),
        sa.Column("sla_hours", sa.Integer(), nullable=True),
        sa.Column("horizon_hours", sa.Integer(), nullable=False),
        sa.Column("min_window_minutes", sa.Integer(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("tentative_blocks", sa.Boolean(), nullable=False),
        sa.Column("teams_channel", sa.String(length=512), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id", "location_id"], ["locations.client_id", "locations.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("client_id", "location_id"),
    )
    op.create_table(
        "rooms",
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("location_id", sa.String(length=128), nullable=False),
        sa.Column("calendar_email", sa.String(length=320), nullable=True),
        sa.Column("mapping_source", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id", "location_id"], ["locations.client_id", "locations.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("client_id", "id"),
    )


def downgrade() -> None:

    op.drop_table("rooms")
    op.drop_table("location_settings")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_email_lower")
        batch_op.drop_index("ix_users_aad_object_id")

    op.drop_table("users")
    op.drop_table("service_providers")
    op.drop_table("locations")
    op.drop_table("integrations")
    with op.batch_alter_table("conversation_refs", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_refs_user")

    op.drop_table("conversation_refs")
    op.drop_table("clients")
    op.drop_table("bot_state")
