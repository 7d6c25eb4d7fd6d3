"""POST /users/{id}/events: create an event; rooms invited as attendees accept it
(as Exchange's resource booking does), so it shows in their calendarView."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from emulator.calendar_view import Instance
from emulator.graph.access import calendar_of, mailbox, require
from emulator.graph.core import (
    GraphContext,
    GraphError,
    GraphResponse,
    access_denied,
    preferred_zone,
    reject_unsupported_options,
)
from emulator.loader import TenantError, parse_event
from emulator.model import Event, Tenant, graph_id
from emulator.render import series_json
from emulator.scopes import WRITE_OWN_CALENDARS
from emulator.timezones import to_instant


def _book_rooms(tenant: Tenant, event: Event) -> None:
    for attendee in event.attendees:
        room = tenant.find(str(attendee["emailAddress"].get("address", "")))
        if room is None or room.kind != "room":
            continue
        attendee["status"] = {"response": "accepted", "time": "0001-01-01T00:00:00Z"}
        tenant.calendars[room.default_calendar_id].events.append(
            dataclasses.replace(
                event,
                id=graph_id("booking", room.key, event.id),
                attendees=[dict(a) for a in event.attendees],
            )
        )


async def create_event(
    ctx: GraphContext, user: str | None = None, calendar: str | None = None
) -> GraphResponse:
    """Create an event in one of the caller's own calendars (201)."""
    reject_unsupported_options(ctx.request)
    box = mailbox(ctx, user)
    target = calendar_of(ctx, box, calendar)
    me = ctx.principal.user
    if target.owner != me.key:
        raise access_denied()
    require(ctx, WRITE_OWN_CALENDARS)
    raw = ctx.request.json()
    if not isinstance(raw, Mapping):
        raise GraphError(400, "BadRequest", "The request body must be a JSON object (an event).")
    transaction = raw.get("transactionId")
    existing = next((e for e in target.events if transaction and e.transaction_id == transaction), None)
    if existing is None:
        fields: dict[str, Any] = {k: v for k, v in raw.items() if k != "organizer"}
        try:
            existing = parse_event(
                fields,
                owner=me,
                id_seed=f"{target.id}/{uuid.uuid4()}",
                today_for=lambda _zone: date.today(),
                where="event",
                graph_defaults=True,
            )
        except TenantError as exc:
            raise GraphError(400, "ErrorInvalidRequest", str(exc)) from exc
        target.events.append(existing)
        _book_rooms(ctx.tenant, existing)
    zone = preferred_zone(ctx)
    if not ctx.preference_applied:
        zone = existing.start_zone
    instance = Instance(
        id=existing.id,
        event=existing,
        start=to_instant(existing.start_local, existing.start_zone),
        end=to_instant(existing.end_local, existing.end_zone),
        series_master_id=None,
        location_override=None,
        owner=me,
    )
    segment = "me" if user is None else user
    where = "events" if calendar is None else f"calendars('{calendar}')/events"
    return GraphResponse(
        201,
        {
            "@odata.context": ctx.metadata(f"users('{segment}')/{where}/$entity"),
            **series_json(instance, zone=zone),
        },
    )
