"""Builds the `IncidentView` of an incident from the database (for cards and e-mail)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.domain import availability
from services.domain.incident_view import ClaimView, IncidentView, SlotView
from services.store.claim_models import Booking, Claim
from services.store.database import Database
from services.store.models import Incident, Location, LocationSettings, Room, Slot
from services.store.times import as_utc


async def load_incident_view(db: Database, client_id: str, incident_id: str) -> IncidentView | None:
    async with db.session() as session:
        incident = await session.get(Incident, (client_id, incident_id))
        if incident is None:
            return None
        room = await session.get(Room, (client_id, incident.room_id))
        location = await session.get(Location, (client_id, room.location_id)) if room else None
        settings = await session.get(LocationSettings, (client_id, room.location_id)) if room else None
        slots = (
            await session.scalars(
                select(Slot)
                .where(Slot.client_id == client_id, Slot.incident_id == incident_id)
                .order_by(Slot.seq)
            )
        ).all()
        claim = await session.scalar(
            select(Claim).where(
                Claim.client_id == client_id, Claim.incident_id == incident_id, Claim.released_at.is_(None)
            )
        )
        booking = await session.get(Booking, claim.id) if claim is not None else None
    zone = availability.choose_zone(incident.timezone, location.timezone if location else None)
    triggered = as_utc(incident.triggered_at)
    sla = triggered + timedelta(hours=settings.sla_hours) if settings and settings.sla_hours else None
    context = getattr(incident, "context", None) or {}
    return IncidentView(
        client_id=client_id,
        incident_id=incident_id,
        title=incident.title,
        severity=incident.severity,
        room_name=room.name if room else incident.room_id,
        site_name=location.name if location else "",
        zone=zone,
        status=incident.status,
        status_reason=incident.status_reason,
        sla_deadline=sla,
        booked_now=context.get("booked_now"),
        booked_next=context.get("booked_next"),
        slots=tuple(SlotView(s.id, as_utc(s.start), as_utc(s.end)) for s in slots),
        claim=(
            ClaimView(
                claim.slot_id,
                claim.claimer_name,
                # a dispatch mailbox claims under the provider's own name: "Acme AV", not "Acme AV (Acme AV)"
                claim.provider_name if claim.provider_name != claim.claimer_name else None,
                as_utc(claim.claimed_at),
            )
            if claim is not None
            else None
        ),
        booking=booking.status if booking is not None else None,
    )
