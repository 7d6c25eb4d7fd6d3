"""Builds the `IncidentView` of an incident from the database (for cards and e-mail)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.domain import availability
from services.domain.incident_view import ClaimView, IncidentView, SlotView, Span
from services.store.claim_models import Booking, Claim
from services.store.database import Database
from services.store.models import Incident, Location, LocationSettings, Room, ServiceProvider, Slot
from services.store.times import as_utc


def _spans(stored: Any) -> tuple[Span, ...]:
    """The stored `free_windows` JSON (ISO 8601 with offsets, as the API shows them)."""
    out: list[Span] = []
    for item in stored or []:
        try:
            start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if start.utcoffset() is not None and end.utcoffset() is not None and start < end:
            out.append(Span(start, end))
    return tuple(out)


async def load_incident_view(db: Database, client_id: str, incident_id: str) -> IncidentView | None:
    async with db.session() as session:
        incident = await session.get(Incident, (client_id, incident_id))
        if incident is None:
            return None
        room = await session.get(Room, (client_id, incident.room_id))
        location = await session.get(Location, (client_id, room.location_id)) if room else None
        settings = await session.get(LocationSettings, (client_id, room.location_id)) if room else None
        provider = await _provider(session, client_id, room.location_id if room else None, settings)
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
        ended = (
            await session.scalar(
                select(Claim)
                .where(
                    Claim.client_id == client_id,
                    Claim.incident_id == incident_id,
                    Claim.end_reason == "resolved",
                )
                .limit(1)
            )
            if incident.status == "resolved"
            else None
        )
        booking = await session.get(Booking, claim.id) if claim is not None else None
    zone = availability.choose_zone(incident.timezone, location.timezone if location else None)
    triggered = as_utc(incident.triggered_at)
    sla = triggered + timedelta(hours=settings.sla_hours) if settings and settings.sla_hours else None
    context = getattr(incident, "context", None) or {}
    window = None
    open_windows: tuple[Span, ...] = ()
    if incident.window_start is not None and incident.window_end is not None:
        window = Span(as_utc(incident.window_start), as_utc(incident.window_end))
        hours_json = (
            settings.business_hours
            if settings is not None and settings.business_hours is not None
            else (location.business_hours if location else None)
        )
        try:
            hours = availability.BusinessHours.from_json(hours_json)
        except ValueError:
            hours = availability.BusinessHours.default()
        open_windows = tuple(
            Span(i.start, i.end)
            for i in availability.open_intervals(availability.Interval(window.start, window.end), zone, hours)
        )
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
        provider_name=provider,
        triggered_at=triggered,
        window=window,
        open_windows=open_windows,
        free_windows=_spans(incident.free_windows),
        resolved_at=as_utc(incident.resolved_at) if incident.resolved_at else None,
        resolution_note=incident.resolution_note,
        cancelled_visit=_claim_view(ended) if ended is not None else None,
        cancelled_visit_slot=(
            SlotView(ended.slot_id, as_utc(ended.slot_start), as_utc(ended.slot_end)) if ended else None
        ),
        sla_breached_at=as_utc(incident.sla_breached_at) if incident.sla_breached_at else None,
        booking=booking.status if booking is not None else None,
    )


def _claim_view(claim: Claim) -> ClaimView:
    return ClaimView(
        claim.slot_id,
        claim.claimer_name,
        claim.provider_name if claim.provider_name != claim.claimer_name else None,
        as_utc(claim.claimed_at),
    )


async def _provider(
    session: Any, client_id: str, location_id: str | None, settings: LocationSettings | None
) -> str | None:
    """The location's service provider: the one setup chose, else the only one the directory assigns."""
    if settings is not None and settings.service_provider_id:
        chosen = await session.get(ServiceProvider, (client_id, settings.service_provider_id))
        if chosen is not None:
            return str(chosen.name)
    if location_id is None:
        return None
    providers = (
        await session.scalars(select(ServiceProvider).where(ServiceProvider.client_id == client_id))
    ).all()
    names = [p.name for p in providers if location_id in (p.location_ids or [])]
    return names[0] if len(names) == 1 else None
