"""Builds the `IncidentView` of an incident from the database (for cards and e-mail).

A notice goes to many people at once (5 e-mails and 4 cards, each its own job), and each
needs the same view: it is read once and shared. A view is reused only while nothing it is
read from has changed — `Database.data_generation` moves with every write to those tables in
this process and with every commit another instance announces — and for a few seconds at
most; so a claim, a release, new slots or a resolve is always shown from the next read on.
Jobs that need the view at the same moment wait for the one read in flight.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from dataclasses import dataclass
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


VIEW_CACHE_SECONDS = 5.0  # the most a view is reused, even when nothing seemed to change
VIEW_CACHE_SIZE = 256


@dataclass
class _Cached:
    generation: int
    expires: float
    view: IncidentView


@dataclass
class _ViewCache:
    views: dict[tuple[str, str], _Cached]
    loading: dict[tuple[str, str], tuple[int, asyncio.Future[IncidentView | None]]]


_caches: weakref.WeakKeyDictionary[Database, _ViewCache] = weakref.WeakKeyDictionary()


# What a view is read from (`_read_incident_view`): a write to any of these tables moves the
# database's data generation, so a view read before it is never served after it.
VIEW_MODELS = (Incident, Room, Location, LocationSettings, ServiceProvider, Slot, Claim, Booking)


def _cache_for(db: Database) -> _ViewCache:
    cache = _caches.get(db)
    if cache is None:
        db.watch_writes(
            (model.__tablename__ for model in VIEW_MODELS),
            new_rows_unseen=(Incident.__tablename__,),  # a new incident: no view of it was read before
        )
        cache = _caches[db] = _ViewCache({}, {})
    return cache


async def load_incident_view(
    db: Database, client_id: str, incident_id: str, *, fresh: bool = False
) -> IncidentView | None:
    """The incident's view as the database has it now: every change committed before this
    call is in it. Shared with other readers while nothing it depends on has changed.

    `fresh` reads past the cache: for what answers a change (a card updated after a claim, the
    clicker's own answer, a claim page), where another instance's commit may not have been
    announced here yet."""
    if fresh:
        return await _read_incident_view(db, client_id, incident_id)
    cache = _cache_for(db)
    key = (client_id, incident_id)
    generation = db.data_generation
    cached = cache.views.get(key)
    if cached is not None and cached.generation == generation and cached.expires > time.monotonic():
        return cached.view
    pending = cache.loading.get(key)
    if pending is not None and pending[0] == generation:
        # Read since the last change: what it returns is as fresh as a read of our own
        # (if that read fails, this caller reads for itself).
        await asyncio.wait([pending[1]])
        if not pending[1].cancelled() and pending[1].exception() is None:
            return pending[1].result()
    future: asyncio.Future[IncidentView | None] = asyncio.get_running_loop().create_future()
    cache.loading[key] = (generation, future)
    try:
        view = await _read_incident_view(db, client_id, incident_id)
    except BaseException:
        future.cancel()  # whoever waits for it reads for itself
        raise
    else:
        future.set_result(view)
    finally:
        if cache.loading.get(key, (0, None))[1] is future:
            del cache.loading[key]
    if view is not None and db.data_generation == generation:
        if len(cache.views) >= VIEW_CACHE_SIZE:
            now = time.monotonic()
            for stale in [k for k, v in cache.views.items() if v.expires <= now] or list(cache.views)[:64]:
                cache.views.pop(stale, None)
        cache.views[key] = _Cached(generation, time.monotonic() + VIEW_CACHE_SECONDS, view)
    return view


async def _read_incident_view(db: Database, client_id: str, incident_id: str) -> IncidentView | None:
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
