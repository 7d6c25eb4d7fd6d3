"""The `claims` table (claim-a-slot issue).

A claim is one service-provider person (or the provider's dispatch mailbox)
taking one slot of one incident. Rows are kept after a release (history, and
so a used e-mail link stays used). "At most one active claim per incident" is
a database fact: a partial unique index over rows not yet released, so the
first click wins on SQLite and on PostgreSQL, across app instances.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKeyConstraint, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models import ID, Base

_ACTIVE = text("released_at IS NULL")


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        ForeignKeyConstraint(
            ["client_id", "incident_id"], ["incidents.client_id", "incidents.id"], ondelete="CASCADE"
        ),
        Index(
            "ux_claims_active",
            "client_id",
            "incident_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        Index("ux_claims_token", "token_sha256", unique=True),
        Index("ix_claims_incident", "client_id", "incident_id", "claimed_at"),
    )

    # 16 hex characters: short enough to tag the claim's notification events ("slot_claimed#<id>").
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_id: Mapped[str] = mapped_column(ID)
    incident_id: Mapped[str] = mapped_column(ID)
    slot_id: Mapped[str] = mapped_column(String(64))
    slot_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    slot_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The directory user who claimed; None when the provider's dispatch mailbox claimed by e-mail.
    user_id: Mapped[str | None] = mapped_column(ID)
    claimer_name: Mapped[str] = mapped_column(String(256))
    claimer_email: Mapped[str | None] = mapped_column(String(320))
    provider_id: Mapped[str | None] = mapped_column(ID)
    provider_name: Mapped[str | None] = mapped_column(String(256))
    via: Mapped[str] = mapped_column(String(16))  # teams | email
    teams_user_id: Mapped[str | None] = mapped_column(String(256))
    # SHA-256 of the e-mail claim link that made this claim: a link works once.
    token_sha256: Mapped[str | None] = mapped_column(String(64))
    # The incident's status before the claim, restored by a release.
    previous_status: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_by_user_id: Mapped[str | None] = mapped_column(ID)
    released_by_name: Mapped[str | None] = mapped_column(String(256))
    # Why the claim ended: "released", or "resolved" (the incident was resolved, DESIGN 3.10).
    end_reason: Mapped[str | None] = mapped_column(String(16))


class Booking(Base):
    """The room booked for a claim's visit (DESIGN 3.11): one row per claim that books.

    Kept after the claim ends, so the incident shows how its last booking went.
    `status`: pending | booked | declined | failed | cancelled. `event_id` is the
    visit's event in the service account's calendar once Graph created it.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        ForeignKeyConstraint(["claim_id"], ["claims.id"], ondelete="CASCADE"),
        Index("ix_bookings_incident", "client_id", "incident_id", "created_at"),
    )

    claim_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_id: Mapped[str] = mapped_column(ID)
    incident_id: Mapped[str] = mapped_column(ID)
    room_email: Mapped[str] = mapped_column(String(320))
    organizer: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str | None] = mapped_column(String(512))
    reason: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
