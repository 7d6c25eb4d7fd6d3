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
    kind: str = "singleInstance"  # or occurrence, exception (seriesMaster on POST)


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


@dataclass(frozen=True)
class Hit:
    """One instance of an event overlapping a window."""

    start: datetime
    end: datetime
    series_master_id: str | None
    day: date | None  # the occurrence's original date (None: a single event)
    event: Event  # the event as this instance shows it (a moved occurrence's own)
    kind: str  # singleInstance, occurrence or exception


def event_instances(event: Event, window_start: datetime, window_end: datetime) -> Iterator[Hit]:
    """Each instance of `event` overlapping the window: the event itself, or a series'
    occurrences at the series' wall-clock time in its zone (DST-correct), without
    cancelled ones and with moved ones at their new time (`type: exception`)."""
    if event.recurrence is None:
        start = to_instant(event.start_local, event.start_zone)
        end = to_instant(event.end_local, event.end_zone)
        if _overlaps(start, end, window_start, window_end):
            yield Hit(start, end, None, None, event, "singleInstance")
        return
    until = (window_end + timedelta(days=2)).date()
    hits: list[Hit] = []
    for day in occurrence_dates(event.recurrence, until=until):
        if datetime.combine(day, event.start_local.time()) in event.exceptions:
            continue
        start, end = _occurrence_bounds(event, day)
        if _overlaps(start, end, window_start, window_end):
            hits.append(Hit(start, end, event.id, day, event, "occurrence"))
    for original, exception in event.exceptions.items():
        moved = exception.moved
        if exception.cancelled or moved is None:
            continue
        start = to_instant(moved.start_local, moved.start_zone)
        end = to_instant(moved.end_local, moved.end_zone)
        if _overlaps(start, end, window_start, window_end):
            hits.append(Hit(start, end, event.id, original.date(), moved, "exception"))
    yield from sorted(hits, key=lambda h: (h.start, h.end))


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
        for hit in event_instances(event, window_start, window_end):
            day, master = hit.day, hit.series_master_id
            base_id = event.id if day is None else graph_id("occurrence", event.id, day.isoformat())
            yield Instance(
                id=base_id if in_calendar is None else graph_id("mirror", in_calendar, base_id),
                event=hit.event,
                start=hit.start,
                end=hit.end,
                series_master_id=master
                if in_calendar is None
                else (graph_id("mirror", in_calendar, master) if master else None),
                location_override=room_location(mirror_room)
                if mirror_room
                else (room_location(owner) if owner.kind == "room" and not hit.event.locations else None),
                owner=owner,
                kind=hit.kind,
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
