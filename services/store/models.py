"""Tables. The schema itself is created by Alembic migrations in `migrations/`.

Secrets never sit here in plain text: API keys are stored as SHA-256 digests
(they are random, high-entropy tokens) and webhook secrets, which must be
recovered to verify signatures, are encrypted with keys derived from SECRET_KEY.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.domain.availability import DEFAULT_POLICY


class Base(DeclarativeBase):
    """Declarative base for every table."""


ID = String(128)


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    tenant_id: Mapped[str] = mapped_column(String(64))
    notify_email: Mapped[str | None] = mapped_column(String(320))
    webhook_secret_enc: Mapped[str] = mapped_column(Text)
    # After a rotation the previous secret keeps verifying until `previous_webhook_secret_until` (DESIGN 3.3).
    previous_webhook_secret_enc: Mapped[str | None] = mapped_column(Text)
    previous_webhook_secret_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    api_key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Location(Base):
    __tablename__ = "locations"
    __table_args__ = (ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),)

    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    timezone: Mapped[str | None] = mapped_column(String(64))
    business_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (
        ForeignKeyConstraint(
            ["client_id", "location_id"], ["locations.client_id", "locations.id"], ondelete="CASCADE"
        ),
    )

    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    location_id: Mapped[str] = mapped_column(ID)
    calendar_email: Mapped[str | None] = mapped_column(String(320))
    # Who set calendar_email: "directory", "setup" or "configure".
    mapping_source: Mapped[str | None] = mapped_column(String(16))


class ServiceProvider(Base):
    __tablename__ = "service_providers"
    __table_args__ = (ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),)

    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    email: Mapped[str] = mapped_column(String(320))
    location_ids: Mapped[list[str]] = mapped_column(JSON)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        Index("ix_users_aad_object_id", "aad_object_id"),
        Index("ix_users_email_lower", "email_lower"),
    )

    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    email: Mapped[str] = mapped_column(String(320))
    email_lower: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(32))
    aad_object_id: Mapped[str | None] = mapped_column(String(64))
    service_provider_id: Mapped[str | None] = mapped_column(ID)
    notify: Mapped[dict[str, Any]] = mapped_column(JSON)


class Integration(Base):
    """The client's Office 365 integration (filled by setup / connect / configure)."""

    __tablename__ = "integrations"
    __table_args__ = (ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),)

    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    calendar_owner: Mapped[str | None] = mapped_column(String(320))
    calendar_id: Mapped[str | None] = mapped_column(String(512))
    signed_in_upn: Mapped[str | None] = mapped_column(String(320))
    token_cache_enc: Mapped[str | None] = mapped_column(Text)
    connected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    needs_reconnect: Mapped[bool] = mapped_column(Boolean, default=False)
    # The delegated Graph permissions the last sign-in granted (space-separated, as the token
    # endpoint wrote them); None for a sign-in stored before they were recorded.
    granted_scopes: Mapped[str | None] = mapped_column(Text)


class LocationSettings(Base):
    """Per-location scheduling settings (setup step 6-7, DESIGN 3.8)."""

    __tablename__ = "location_settings"
    __table_args__ = (
        ForeignKeyConstraint(
            ["client_id", "location_id"], ["locations.client_id", "locations.id"], ondelete="CASCADE"
        ),
    )

    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    location_id: Mapped[str] = mapped_column(ID, primary_key=True)
    scheduling: Mapped[bool] = mapped_column(Boolean, default=False)
    service_provider_id: Mapped[str | None] = mapped_column(ID)
    sla_hours: Mapped[int | None] = mapped_column(Integer)
    horizon_hours: Mapped[int] = mapped_column(Integer, default=int(DEFAULT_POLICY.horizon_hours))
    min_window_minutes: Mapped[int] = mapped_column(Integer, default=int(DEFAULT_POLICY.min_window_minutes))
    slot_minutes: Mapped[int] = mapped_column(Integer, default=int(DEFAULT_POLICY.slot_minutes))
    tentative_blocks: Mapped[bool] = mapped_column(Boolean, default=DEFAULT_POLICY.tentative_blocks)
    teams_channel: Mapped[str | None] = mapped_column(String(512))
    # Set at setup to override the directory's business hours for this location (same JSON shape).
    business_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # {"remind_after_minutes": int | None, "client_after_minutes": int | None}; a key left out
    # means the default (a quarter / a half of the SLA), a null value turns the step off.
    escalation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # DESIGN 3.11: a claim also books the room (needs Calendars.ReadWrite).
    book_room: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class BotState(Base):
    """Bot Framework state blobs (dialog state), with an e-tag for optimistic concurrency."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    etag: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ConversationRef(Base):
    """Where the bot can post proactively: personal, group chat or channel."""

    __tablename__ = "conversation_refs"
    __table_args__ = (Index("ix_conversation_refs_user", "user_aad_object_id"),)

    conversation_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    conversation_type: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(String(512))
    channel_name: Mapped[str | None] = mapped_column(String(256))
    user_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Job(Base):
    """A durable unit of work (at-least-once; handlers are idempotent)."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_due", "status", "run_at"),
        Index("ix_jobs_dedupe", "dedupe_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # queued | running | done | dead
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when a failed job is rescheduled: the run_at it first had (NULL: run_at is still that).
    first_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(512))
    dedupe_key: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Incident(Base):
    """An incident pivot posted; `(client_id, id)` identifies it."""

    __tablename__ = "incidents"
    __table_args__ = (
        ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        Index("ix_incidents_status", "status"),
    )

    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    room_id: Mapped[str] = mapped_column(ID)
    triggered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    title: Mapped[str] = mapped_column(String(512))
    severity: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default="accepted")
    status_reason: Mapped[str | None] = mapped_column(String(256))
    timezone: Mapped[str | None] = mapped_column(String(64))
    window_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    free_windows: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    calendar_reads: Mapped[int] = mapped_column(Integer, default=0)
    # What people are told about the room (booked now / next), from the calendar read.
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Lifecycle (DESIGN 3.10, 3.12): how it ended, and which reminder/escalation steps are done.
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The current arming of the steps ("notice", or the id of the claim whose release re-armed them).
    escalation_arm: Mapped[str | None] = mapped_column(String(32))
    escalation_done: Mapped[list[str] | None] = mapped_column(JSON)
    sla_breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Slot(Base):
    """A bookable slot of an incident, in order (`seq`)."""

    __tablename__ = "slots"
    __table_args__ = (
        ForeignKeyConstraint(
            ["client_id", "incident_id"], ["incidents.client_id", "incidents.id"], ondelete="CASCADE"
        ),
        Index("ix_slots_incident", "client_id", "incident_id", "seq", unique=True),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ID)
    incident_id: Mapped[str] = mapped_column(ID)
    seq: Mapped[int] = mapped_column(Integer)
    start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoomCalendarInfo(Base):
    """What Graph told us about a room mailbox (time zone cache, readability), by e-mail."""

    __tablename__ = "room_calendar_info"

    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    mailbox_timezone: Mapped[str | None] = mapped_column(String(128))
    readable: Mapped[bool | None] = mapped_column(Boolean)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SignInSession(Base):
    """A one-time Office 365 sign-in link (setup step 3 / `app.py connect`).

    `id` is the SHA-256 of the link's random token, so the table alone cannot
    replay a pending link. The MSAL flow (it holds the PKCE verifier) is stored
    encrypted and dropped once used; `context` is the caller's, e.g. where the bot
    continues the conversation.
    """

    __tablename__ = "sign_in_sessions"
    __table_args__ = (
        ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        Index("ux_sign_in_sessions_state", "state_sha256", unique=True),
        Index("ix_sign_in_sessions_client", "client_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    flow_enc: Mapped[str | None] = mapped_column(Text)
    state_sha256: Mapped[str | None] = mapped_column(String(64))
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    upn: Mapped[str | None] = mapped_column(String(320))
    error: Mapped[str | None] = mapped_column(String(256))
