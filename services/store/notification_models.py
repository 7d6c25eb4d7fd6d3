"""Tables for notifications, preferences and identity links (notifications issue)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models import ID, Base


class Notification(Base):
    """One message to one recipient on one channel for one event of one incident.

    The unique key makes "nobody gets the same message twice" a database fact.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index(
            "ux_notifications_once", "client_id", "incident_id", "event", "channel", "recipient", unique=True
        ),
        Index("ix_notifications_incident", "client_id", "incident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ID)
    incident_id: Mapped[str] = mapped_column(ID)
    # new_incident | slot_claimed | slot_released
    # "booking_declined#<claim id>" is 33 characters: 64 leaves room (widened in 0010_booking).
    event: Mapped[str] = mapped_column(String(64))
    # email | teams
    channel: Mapped[str] = mapped_column(String(16))
    # e-mail: the address (lower case); teams: "user:<client>/<user id>" or "channel:<conversation id>"
    recipient: Mapped[str] = mapped_column(String(600))
    recipient_user_id: Mapped[str | None] = mapped_column(ID)
    # client_admin | client_user | service_provider | subcontractor | client | provider | channel
    recipient_role: Mapped[str] = mapped_column(String(32))
    # queued | sent | failed | inactive
    status: Mapped[str] = mapped_column(String(16), default="queued")
    reason: Mapped[str | None] = mapped_column(String(512))
    message_id: Mapped[str | None] = mapped_column(String(256))
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    activity_id: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class UserPreferences(Base):
    """A user's own notification choices (set in Teams); they override the directory's `notify`."""

    __tablename__ = "user_preferences"

    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean)
    teams: Mapped[bool] = mapped_column(Boolean)
    # {"new_incident": bool, "slot_claimed": bool, "slot_released": bool}
    events: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IdentityLink(Base):
    """A Teams account linked to a directory user (by AAD id, e-mail, or a `link` code)."""

    __tablename__ = "identity_links"
    __table_args__ = (Index("ix_identity_links_user", "client_id", "user_id"),)

    teams_user_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID)
    aad_object_id: Mapped[str | None] = mapped_column(String(64))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(16))  # aad | email | code
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LinkCode(Base):
    """A one-time code e-mailed by `link` (stored hashed; 10-minute expiry, 5 attempts)."""

    __tablename__ = "link_codes"

    teams_user_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    client_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    code_sha256: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class LinkRequest(Base):
    """One `link` request (a code asked for), kept an hour: bounds how many codes one Teams
    account, and one address, can get, across dialog restarts and app restarts."""

    __tablename__ = "link_requests"
    __table_args__ = (
        Index("ix_link_requests_teams_user", "teams_user_id", "requested_at"),
        Index("ix_link_requests_email", "email_lower", "requested_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    teams_user_id: Mapped[str] = mapped_column(String(256))
    email_lower: Mapped[str] = mapped_column(String(320))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
