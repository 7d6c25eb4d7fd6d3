"""Which event instances fall in a time window: recurrence expansion and mirrors.

calendarView and getSchedule both ask the same question; the answer is a sorted
list of instances with UTC bounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from emulator.model import Calendar, Event, Mailbox, Tenant, graph_id
from emulator.recurrence import occurrence_dates
from emulator.timezones import to_instant


@dataclass(frozen=True)
class Instance:
    """One occurrence (or a single event) as seen in one calendar."""

    id: str
    event: Event
    start: datetime
    end: datetime
    series_master_id: str | None
    location_override: dict[str, Any] | None
    owner: Mailbox


def room_location(room: Mailbox) -> dict[str, Any]:
    """The location Exchange puts on a meeting booked in a room."""
    return {
        "displayName": room.display_name,
        "locationType": "conferenceRoom",
        "locationUri": room.upn,
        "uniqueId": room.upn,
        "uniqueIdType": "directory",
        "address": dict(room.place.get("address") or {}),
        "coordinates": {},
    }


def _occurrence_bounds(event: Event, day: date) -> tuple[datetime, datetime]:
    start_local = datetime.combine(day, event.start_local.time())
    end_local = start_local + (event.end_local - event.start_local)
    if not event.is_all_day:
        span_days = (event.end_local.date() - event.start_local.date()).days
        end_local = datetime.combine(day + timedelta(days=span_days), event.end_local.time())
    return (to_instant(start_local, event.start_zone), to_instant(end_local, event.end_zone))


def event_instances(
    event: Event, window_start: datetime, window_end: datetime
) -> Iterator[tuple[datetime, datetime, str | None, date | None]]:
    """(start, end, series_master_id, occurrence date) for each instance overlapping."""
    if event.recurrence is None:
        start = to_instant(event.start_local, event.start_zone)
        end = to_instant(event.end_local, event.end_zone)
        if _overlaps(start, end, window_start, window_end):
            yield start, end, None, None
        return
    until = (window_end + timedelta(days=2)).date()
    for day in occurrence_dates(event.recurrence, until=until):
        start, end = _occurrence_bounds(event, day)
        if _overlaps(start, end, window_start, window_end):
            yield start, end, event.id, day


def _overlaps(start: datetime, end: datetime, window_start: datetime, window_end: datetime) -> bool:
    """A zero-length or end-before-start event is seen where it starts."""
    if end <= start:
        return window_start <= start < window_end
    return start < window_end and end > window_start


def _instances_of(
    calendar: Calendar,
    owner: Mailbox,
    window_start: datetime,
    window_end: datetime,
    *,
    mirror_room: Mailbox | None = None,
    in_calendar: str | None = None,
) -> Iterator[Instance]:
    for event in calendar.events:
        for start, end, master, day in event_instances(event, window_start, window_end):
            base_id = event.id if day is None else graph_id("occurrence", event.id, day.isoformat())
            yield Instance(
                id=base_id if in_calendar is None else graph_id("mirror", in_calendar, base_id),
                event=event,
                start=start,
                end=end,
                series_master_id=master
                if in_calendar is None
                else (graph_id("mirror", in_calendar, master) if master else None),
                location_override=room_location(mirror_room)
                if mirror_room
                else (room_location(owner) if owner.kind == "room" and not event.locations else None),
                owner=owner,
            )


def calendar_view(
    tenant: Tenant, calendar: Calendar, window_start: datetime, window_end: datetime
) -> list[Instance]:
    """All instances in a calendar overlapping [window_start, window_end), sorted."""
    owner = tenant.mailboxes[calendar.owner]
    found = list(_instances_of(calendar, owner, window_start, window_end))
    for room_key in calendar.mirrors:
        room = tenant.mailboxes.get(room_key)
        if room is None:
            continue
        room_calendar = tenant.calendars[room.default_calendar_id]
        found.extend(
            _instances_of(
                room_calendar, owner, window_start, window_end, mirror_room=room, in_calendar=calendar.id
            )
        )
    return sorted(found, key=lambda i: (i.start, i.end, i.id))
