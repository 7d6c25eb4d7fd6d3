"""Booking the room for a claimed visit (DESIGN 3.11), as durable jobs.

With `book_room` on for the room's location and the sign-in holding
`Calendars.ReadWrite`, the claim's transaction adds a `bookings` row
(`pending`) and the `claims.book_room` job. The job creates the visit in the
service account's calendar with the room as a `resource` attendee and a
`transactionId` derived from the claim id (a retry after a lost answer gets
the first event back, never a second one), then reads the room's answer from
the organizer's copy of the event: `accepted` → `booked`, `declined` → the
claim ends (`on_declined`), no answer yet → asked again shortly. Graph
failures are retried with backoff; after the last attempt the claim stands,
the booking is `failed` and the client admins are told (`booking_failed`).

Ending a claim (release, resolve, a declined room) calls
`cancel_incident_booking` inside the same transaction: `claims.cancel_booking`
cancels the event (idempotent: an event already gone counts as cancelled).
A booking job that meets an ended claim cancels what it created itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services import texts
from services.claims.effects import ClaimEffects
from services.incidents.events import queue_notification
from services.jobs import Handler, JobInfo, RetryLater, enqueue
from services.m365.graph_errors import (
    AccessDenied,
    GraphError,
    NotConnected,
    ReconnectNeeded,
    Throttled,
)
from services.m365.signin import BOOKING_SCOPE, grants
from services.store.claim_models import Booking, Claim
from services.store.database import Database
from services.store.models import Incident, Integration, Location, LocationSettings, Room

log = logging.getLogger(__name__)

BOOK_JOB = "claims.book_room"
CANCEL_JOB = "claims.cancel_booking"
BOOK_MAX_ATTEMPTS = 8
CANCEL_MAX_ATTEMPTS = 12
MAX_RETRY_DELAY = 600.0

PENDING = "pending"
BOOKED = "booked"
DECLINED = "declined"
FAILED = "failed"
CANCELLED = "cancelled"
# A booking whose event may exist in the calendars: ending the claim must cancel it.
LIVE = (PENDING, BOOKED, FAILED)

BOOKING_DECLINED = "booking_declined"
BOOKING_FAILED = "booking_failed"

# What a room's attendee response means for the booking.
_ACCEPTED = frozenset({"accepted"})
_DECLINED = frozenset({"declined"})


class EventWriter(Protocol):
    """The Graph calls booking makes (services.m365.graph_gateway.GraphGateway)."""

    async def create_event(
        self, client_id: str, mailbox: str, event: dict[str, Any], *, transaction_id: str | None = None
    ) -> dict[str, Any]: ...

    async def get_event(self, client_id: str, mailbox: str, event_id: str) -> dict[str, Any]: ...

    async def cancel_event(self, client_id: str, mailbox: str, event_id: str, comment: str) -> bool: ...


DeclinedCallback = Callable[[str], Awaitable[None]]


def transaction_id_for(claim_id: str) -> str:
    """The visit event's Graph `transactionId`: one claim, one event, however often it is retried."""
    return f"pivot-visit-{claim_id}"


def booking_event_key(event: str, claim_id: str) -> str:
    return f"{event}#{claim_id}"


def _utc_wall(instant: datetime) -> str:
    return instant.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()


@dataclass(frozen=True)
class BookingInfo:
    claim_id: str
    status: str
    event_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "status": self.status, "event_id": self.event_id}


async def location_books_rooms(session: AsyncSession, client_id: str, location_id: str) -> bool:
    settings = await session.get(LocationSettings, (client_id, location_id))
    return bool(settings is not None and settings.book_room)


async def queue_booking(session: AsyncSession, db: Database, claim: Claim, room: Room) -> BookingInfo | None:
    """Inside the claim's transaction: start booking the room, when the location books rooms
    and the sign-in allows it (else None: booking is off, the claim goes on without it)."""
    if not room.calendar_email or not await location_books_rooms(session, claim.client_id, room.location_id):
        return None
    integration = await session.get(Integration, claim.client_id)
    if (
        integration is None
        or not integration.signed_in_upn
        or integration.needs_reconnect
        or not grants(integration.granted_scopes, BOOKING_SCOPE)
    ):
        log.info("room booking off: Calendars.ReadWrite not granted client=%s", claim.client_id)
        return None
    session.add(
        Booking(
            claim_id=claim.id,
            client_id=claim.client_id,
            incident_id=claim.incident_id,
            room_email=room.calendar_email,
            organizer=integration.signed_in_upn,
            status=PENDING,
        )
    )
    await enqueue(
        session,
        db,
        BOOK_JOB,
        {"claim_id": claim.id},
        dedupe_key=f"{BOOK_JOB}:{claim.id}",
        max_attempts=BOOK_MAX_ATTEMPTS,
    )
    return BookingInfo(claim.id, PENDING, None)


async def cancel_incident_booking(
    session: AsyncSession, db: Database, client_id: str, incident_id: str
) -> bool:
    """Cancel the room booking of the incident's latest claim (release, resolve, declined room).

    Call it inside the transaction that ends the claim. Idempotent: a booking that is not
    live (or none at all) queues nothing; a second call queues nothing more. True when a
    cancellation was queued."""
    booking = await latest_booking_row(session, client_id, incident_id)
    if booking is None or booking.status not in LIVE:
        return False
    await enqueue(
        session,
        db,
        CANCEL_JOB,
        {"claim_id": booking.claim_id},
        dedupe_key=f"{CANCEL_JOB}:{booking.claim_id}",
        max_attempts=CANCEL_MAX_ATTEMPTS,
    )
    return True


async def mark_declined(session: AsyncSession, claim_id: str) -> None:
    """Inside the transaction that ends the claim: the room said no."""
    await session.execute(
        update(Booking)
        .where(Booking.claim_id == claim_id, Booking.status == PENDING)
        .values(status=DECLINED, updated_at=func.now())
    )


async def latest_booking_row(session: AsyncSession, client_id: str, incident_id: str) -> Booking | None:
    return await session.scalar(
        select(Booking)
        .where(Booking.client_id == client_id, Booking.incident_id == incident_id)
        .order_by(Booking.created_at.desc(), Booking.claim_id.desc())
        .limit(1)
    )


async def latest_booking(session: AsyncSession, client_id: str, incident_id: str) -> BookingInfo | None:
    """The booking of the incident's latest claim that booked (the API's `booking`)."""
    row = await latest_booking_row(session, client_id, incident_id)
    return BookingInfo(row.claim_id, row.status, row.event_id) if row is not None else None


def room_response(event: dict[str, Any], room_email: str) -> str | None:
    """The room attendee's response in the organizer's copy of the event (lower-case), if any."""
    for attendee in event.get("attendees") or []:
        if not isinstance(attendee, dict):
            continue
        address = str(((attendee.get("emailAddress") or {}).get("address")) or "").strip().lower()
        if address == room_email.lower():
            response = (attendee.get("status") or {}).get("response")
            return str(response).lower() if response else None
    return None


class RoomBooking:
    """The `claims.book_room` and `claims.cancel_booking` jobs."""

    def __init__(
        self,
        db: Database,
        graph: EventWriter | None,
        *,
        on_declined: DeclinedCallback,
        retry_seconds: float = 5.0,
    ) -> None:
        self._db = db
        self._graph = graph
        self._on_declined = on_declined
        self._retry = retry_seconds

    def job_handlers(self) -> dict[str, Handler]:
        return {BOOK_JOB: self.handle_book, CANCEL_JOB: self.handle_cancel}

    def _delay(self, attempt: int) -> float:
        return min(MAX_RETRY_DELAY, self._retry * 2 ** max(0, attempt - 1))

    # ---- booking ------------------------------------------------------------------------

    async def handle_book(self, job: JobInfo) -> None:
        claim_id = str(job.payload["claim_id"])
        async with self._db.session() as session:
            booking = await session.get(Booking, claim_id)
            claim = await session.get(Claim, claim_id)
            if booking is None or claim is None:
                return
            incident = await session.get(Incident, (claim.client_id, claim.incident_id))
            room = await session.get(Room, (claim.client_id, incident.room_id)) if incident else None
            location = await session.get(Location, (claim.client_id, room.location_id)) if room else None
        if booking.status == DECLINED:
            await self._on_declined(claim_id)  # finish what a crash may have interrupted (idempotent)
            return
        if booking.status != PENDING:
            return
        if claim.released_at is not None:
            await self._cancel(booking, claim_id)
            return
        if self._graph is None or incident is None or room is None:
            await self._fail(booking, "nothing to book with")
            return
        try:
            if booking.event_id is None:
                event = await self._graph.create_event(
                    booking.client_id,
                    booking.organizer,
                    self._event(claim, incident, room, location),
                    transaction_id=transaction_id_for(claim_id),
                )
                event_id = str(event.get("id") or "")
                if not event_id:
                    raise GraphError("event created without an id")
                async with self._db.session() as session:
                    await session.execute(
                        update(Booking)
                        .where(Booking.claim_id == claim_id)
                        .values(event_id=event_id, updated_at=func.now())
                    )
                booking.event_id = event_id
                log.info("visit event created client=%s claim=%s", booking.client_id, claim_id)
            event = await self._graph.get_event(booking.client_id, booking.organizer, booking.event_id)
        except (AccessDenied, NotConnected, ReconnectNeeded) as exc:
            await self._fail(booking, f"not allowed: {type(exc).__name__}")
            return
        except GraphError as exc:
            if job.attempts >= job.max_attempts:
                await self._fail(booking, f"gave up after {job.attempts} attempts: {exc.code}")
                return
            delay = self._delay(job.attempts)
            if isinstance(exc, Throttled) and exc.retry_after:
                delay = max(delay, exc.retry_after)
            log.warning(
                "room booking deferred client=%s claim=%s reason=%s retry_in=%.1fs",
                booking.client_id,
                claim_id,
                exc.code,
                delay,
            )
            raise RetryLater(delay, f"graph: {exc.code}") from None
        async with self._db.session() as session:
            released = await session.scalar(select(Claim.released_at).where(Claim.id == claim_id))
        if released is not None:  # the claim ended while the event was being made
            await self._cancel(booking, claim_id)
            return
        answer = room_response(event, booking.room_email)
        if event.get("isCancelled") is True or answer in _DECLINED:
            log.info("room declined the visit client=%s claim=%s", booking.client_id, claim_id)
            await self._on_declined(claim_id)  # marks the booking declined as the claim ends
            await self._quiet_cancel(booking)
            return
        if answer in _ACCEPTED:
            if await self._set_status(claim_id, BOOKED, from_status=PENDING):
                await self._cards(booking, BOOKED)
                log.info("room booked client=%s claim=%s", booking.client_id, claim_id)
            return
        if job.attempts >= job.max_attempts:
            await self._fail(booking, "the room did not answer")
            return
        raise RetryLater(self._delay(job.attempts), "waiting for the room's answer")

    @staticmethod
    def _event(claim: Claim, incident: Incident, room: Room, location: Location | None) -> dict[str, Any]:
        who = claim.claimer_name + (
            f" ({claim.provider_name})"
            if claim.provider_name and claim.provider_name != claim.claimer_name
            else ""
        )
        title = " ".join(incident.title.split())
        body = texts.BOOKING_EVENT_BODY.format(
            incident=incident.id,
            title=title,
            severity=incident.severity,
            room=room.name,
            site_line=f"Site: {location.name}\n" if location else "",
            who=who,
            description_line=f"\n{incident.description.strip()}\n" if incident.description else "",
        )
        start, end = claim.slot_start, claim.slot_end
        if start.tzinfo is None:
            start, end = start.replace(tzinfo=UTC), end.replace(tzinfo=UTC)
        return {
            "subject": texts.BOOKING_EVENT_SUBJECT.format(title=title, incident=incident.id),
            "start": {"dateTime": _utc_wall(start), "timeZone": "UTC"},
            "end": {"dateTime": _utc_wall(end), "timeZone": "UTC"},
            "location": {
                "displayName": room.name,
                "locationEmailAddress": room.calendar_email,
                "locationType": "conferenceRoom",
            },
            "attendees": [
                {"emailAddress": {"address": room.calendar_email, "name": room.name}, "type": "resource"}
            ],
            "body": {"contentType": "text", "content": body},
            "showAs": "busy",
            "isReminderOn": False,
            "responseRequested": True,
        }

    # ---- cancelling ---------------------------------------------------------------------

    async def handle_cancel(self, job: JobInfo) -> None:
        claim_id = str(job.payload["claim_id"])
        async with self._db.session() as session:
            booking = await session.get(Booking, claim_id)
        if booking is None or booking.status not in LIVE:
            return
        if booking.event_id is None:
            if booking.status == PENDING:
                return  # the booking job has not made the event: it sees the ended claim itself
            await self._set_status(claim_id, CANCELLED, from_status=booking.status)
            return
        try:
            await self._cancel(booking, claim_id)
        except GraphError as exc:
            if job.attempts >= job.max_attempts or isinstance(
                exc, AccessDenied | NotConnected | ReconnectNeeded
            ):
                log.error("visit event not cancelled client=%s claim=%s", booking.client_id, claim_id)
                return
            raise RetryLater(self._delay(job.attempts), f"graph: {exc.code}") from None

    async def _cancel(self, booking: Booking, claim_id: str) -> None:
        """Cancel the visit's event (if one was made) and mark the booking cancelled."""
        if booking.event_id is not None and self._graph is not None:
            await self._graph.cancel_event(
                booking.client_id, booking.organizer, booking.event_id, texts.BOOKING_CANCEL_COMMENT
            )
        if await self._set_status(claim_id, CANCELLED, from_status=booking.status):
            log.info("room booking cancelled client=%s claim=%s", booking.client_id, claim_id)

    async def _quiet_cancel(self, booking: Booking) -> None:
        """Take a declined event out of the service account's calendar (best effort)."""
        if booking.event_id is None or self._graph is None:
            return
        try:
            await self._graph.cancel_event(
                booking.client_id, booking.organizer, booking.event_id, texts.BOOKING_CANCEL_COMMENT
            )
        except GraphError:
            log.info(
                "declined visit event left in place client=%s claim=%s", booking.client_id, booking.claim_id
            )

    # ---- outcomes -----------------------------------------------------------------------

    async def _set_status(self, claim_id: str, status: str, *, from_status: str) -> bool:
        async with self._db.session() as session:
            done = await session.execute(
                update(Booking)
                .where(Booking.claim_id == claim_id, Booking.status == from_status)
                .values(status=status, updated_at=func.now())
            )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def _fail(self, booking: Booking, reason: str) -> None:
        """The claim stands; the booking is `failed`; the client admins are told."""
        async with self._db.session() as session:
            done = await session.execute(
                update(Booking)
                .where(Booking.claim_id == booking.claim_id, Booking.status == PENDING)
                .values(status=FAILED, reason=reason[:256], updated_at=func.now())
            )
            if done.rowcount:  # type: ignore[attr-defined]
                await queue_notification(
                    session,
                    self._db,
                    booking.client_id,
                    booking.incident_id,
                    booking_event_key(BOOKING_FAILED, booking.claim_id),
                )
        log.error("room booking failed client=%s claim=%s", booking.client_id, booking.claim_id)
        await self._cards(booking, FAILED)

    async def _cards(self, booking: Booking, status: str) -> None:
        async with self._db.session() as session:
            await ClaimEffects(self._db).queue_card_sweeps(
                session, booking.client_id, booking.incident_id, f"booking:{booking.claim_id}:{status}"
            )
