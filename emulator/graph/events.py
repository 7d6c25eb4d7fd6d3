"""Events of one's own calendars: POST /users/{id}/events (create), GET and DELETE
/users/{id}/events/{eid}, POST /users/{id}/events/{eid}/cancel.

Rooms among the attendees process the request as Exchange resource booking
does (AutoAccept, no conflicts allowed): the room accepts and the event lands in
its calendar as busy, or it declines when the time overlaps a blocking event of
the room (not cancelled, showAs not free). Deleting or cancelling the
organizer's event removes it from the rooms. With `state.resource_response_delay_s`
the rooms answer that many seconds later (their response is `none` until then).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from emulator.calendar_view import Instance, event_instances
from emulator.graph.access import calendar_of, check_calendar_read, is_self, mailbox, require
from emulator.graph.core import (
    GraphContext,
    GraphError,
    GraphResponse,
    access_denied,
    apply_select,
    preferred_zone,
    reject_unsupported_options,
    select_param,
)
from emulator.loader import TenantError, parse_event
from emulator.model import Calendar, Event, Mailbox, Tenant, graph_id
from emulator.render import EVENT_PROPERTIES, series_json
from emulator.scopes import READ_OWN_CALENDARS, WRITE_OWN_CALENDARS
from emulator.timezones import format_graph_utc_stamp, to_instant

# how far ahead a recurring request is checked for conflicts
SERIES_HORIZON = timedelta(days=366)
NO_RESPONSE = {"response": "none", "time": "0001-01-01T00:00:00Z"}


def booking_id(room: Mailbox, event: Event) -> str:
    """The id of the copy of `event` in the room's calendar."""
    return graph_id("booking", room.key, event.id)


def _span(event: Event) -> tuple[datetime, datetime]:
    start = to_instant(event.start_local, event.start_zone)
    end = to_instant(event.end_local, event.end_zone)
    if event.recurrence is not None:
        end = start + SERIES_HORIZON
    return start, end


def _blocks(event: Event) -> bool:
    return not event.is_cancelled and event.show_as != "free"


def _conflicts(room_calendar: Calendar, request: Event) -> bool:
    """True when an instance of `request` overlaps a blocking instance in the room."""
    start, end = _span(request)
    wanted = [(h.start, h.end) for h in event_instances(request, start, end) if h.end > h.start]
    for existing in room_calendar.events:
        for hit in event_instances(existing, start, end):
            if hit.end <= hit.start or not _blocks(hit.event):
                continue
            if any(hit.start < w_end and hit.end > w_start for w_start, w_end in wanted):
                return True
    return False


def _answer_rooms(tenant: Tenant, event: Event) -> None:
    """Each room attendee accepts (its calendar gets a busy copy) or declines."""
    stamp = format_graph_utc_stamp(datetime.now(tz=UTC))
    for attendee in event.attendees:
        room = tenant.find(str(attendee["emailAddress"].get("address", "")))
        if room is None or room.kind != "room":
            continue
        calendar = tenant.calendars.get(room.default_calendar_id)
        if calendar is None or any(e.id == booking_id(room, event) for e in calendar.events):
            continue
        if _conflicts(calendar, event):
            attendee["status"] = {"response": "declined", "time": stamp}
            continue
        attendee["status"] = {"response": "accepted", "time": stamp}
        calendar.events.append(
            dataclasses.replace(
                event,
                id=booking_id(room, event),
                show_as="busy",
                as_written={},
                attendees=[dict(a) for a in event.attendees],
                transaction_id=None,
            )
        )


def _rooms_respond(ctx: GraphContext, event: Event) -> None:
    delay = ctx.state.resource_response_delay_s
    tenant = ctx.tenant
    if delay <= 0:
        _answer_rooms(tenant, event)
        return

    def later() -> None:
        if any(e is event for c in tenant.calendars.values() for e in c.events):
            _answer_rooms(tenant, event)

    asyncio.get_running_loop().call_later(delay, later)


def _remove_from_rooms(tenant: Tenant, event: Event) -> None:
    for attendee in event.attendees:
        room = tenant.find(str(attendee["emailAddress"].get("address", "")))
        if room is None or room.kind != "room":
            continue
        calendar = tenant.calendars.get(room.default_calendar_id)
        if calendar is not None:
            calendar.events = [e for e in calendar.events if e.id != booking_id(room, event)]


def _instance(event: Event, owner: Mailbox) -> Instance:
    return Instance(
        id=event.id,
        event=event,
        start=to_instant(event.start_local, event.start_zone),
        end=to_instant(event.end_local, event.end_zone),
        series_master_id=None,
        location_override=None,
        owner=owner,
    )


def _with_room_responses(event: Event) -> Event:
    """Rooms still deciding show `none` (the stored attendee dicts are live)."""
    return dataclasses.replace(
        event, attendees=[{**a, "status": dict(a.get("status") or NO_RESPONSE)} for a in event.attendees]
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
        fields: dict[str, Any] = {k: v for k, v in raw.items() if k not in ("organizer", "exceptions")}
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
        for attendee in existing.attendees:
            attendee["status"] = dict(NO_RESPONSE)
        target.events.append(existing)
        _rooms_respond(ctx, existing)
    zone = preferred_zone(ctx)
    if not ctx.preference_applied:
        zone = existing.start_zone
    segment = "me" if user is None else user
    where = "events" if calendar is None else f"calendars('{calendar}')/events"
    return GraphResponse(
        201,
        {
            "@odata.context": ctx.metadata(f"users('{segment}')/{where}/$entity"),
            **series_json(_instance(existing, me), zone=zone),
        },
    )


def _find_event(
    ctx: GraphContext, box: Mailbox, event_id: str, calendar_id: str | None = None
) -> tuple[Calendar, Event]:
    """An event of one of `box`'s own calendars (or the one named) by id, or 404."""
    calendars = ctx.tenant.owned_calendars(box)
    if calendar_id is not None:
        calendars = [calendar_of(ctx, box, calendar_id)]
    for calendar in calendars:
        for event in calendar.events:
            if event.id == event_id:
                return calendar, event
    raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


async def get_event(
    ctx: GraphContext, event_id: str, user: str | None = None, calendar: str | None = None
) -> GraphResponse:
    """One event with its attendees' responses (a room's accept or decline)."""
    reject_unsupported_options(ctx.request)
    box = mailbox(ctx, user)
    found, event = _find_event(ctx, box, event_id, calendar)
    if is_self(ctx, box):
        require(ctx, READ_OWN_CALENDARS)
    else:
        check_calendar_read(ctx, found)
    fields = select_param(ctx.request, "event", EVENT_PROPERTIES)
    zone = preferred_zone(ctx)
    body = series_json(_instance(_with_room_responses(event), box), zone=zone)
    segment = "me" if user is None else user
    return GraphResponse(
        200,
        {
            "@odata.context": ctx.metadata(f"users('{segment}')/events/$entity"),
            **apply_select(body, fields, always=("@odata.etag", "id")),
        },
    )


def _own_event_for_write(
    ctx: GraphContext, user: str | None, event_id: str, calendar_id: str | None
) -> tuple[Calendar, Event]:
    box = mailbox(ctx, user)
    if not is_self(ctx, box):
        raise access_denied()
    require(ctx, WRITE_OWN_CALENDARS)
    return _find_event(ctx, box, event_id, calendar_id)


async def delete_event(
    ctx: GraphContext, event_id: str, user: str | None = None, calendar: str | None = None
) -> GraphResponse:
    """Delete one's own event (204); the rooms it booked drop it."""
    reject_unsupported_options(ctx.request)
    found, event = _own_event_for_write(ctx, user, event_id, calendar)
    found.events = [e for e in found.events if e is not event]
    _remove_from_rooms(ctx.tenant, event)
    return GraphResponse(204, None)


async def cancel_event(
    ctx: GraphContext, event_id: str, user: str | None = None, calendar: str | None = None
) -> GraphResponse:
    """The organizer cancels a meeting (202): attendees (rooms) drop it, and it
    leaves the organizer's calendar, as in Exchange."""
    reject_unsupported_options(ctx.request)
    found, event = _own_event_for_write(ctx, user, event_id, calendar)
    organizer = str(event.organizer.get("emailAddress", {}).get("address", "")).lower()
    if organizer != ctx.principal.user.key:
        raise GraphError(
            400, "ErrorInvalidRequest", "Your request can't be completed. You need to be an organizer."
        )
    raw = ctx.request.json() if ctx.request.body.strip() else {}
    comment = raw.get("Comment", raw.get("comment")) if isinstance(raw, Mapping) else None
    if comment is not None and not isinstance(comment, str):
        raise GraphError(400, "ErrorInvalidRequest", "Comment must be a string.")
    found.events = [e for e in found.events if e is not event]
    _remove_from_rooms(ctx.tenant, event)
    return GraphResponse(202, None)
