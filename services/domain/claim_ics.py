"""The calendar file attached to claim confirmations (DESIGN 3.9), built with `icalendar`.

DTSTART/DTEND are the slot's instants written in the room's time zone (TZID
plus a VTIMEZONE for it, so any calendar shows the right local time). The UID
names the claim, so the release notice — the same UID, METHOD:CANCEL, a
higher SEQUENCE — removes the event from calendars that imported it.
Pure: plain data in, bytes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from services.texts import PRODUCT_NAME

PRODID = "-//pivot//pivot Scheduling for Microsoft Teams//EN"
FILENAME = "pivot-visit.ics"


@dataclass(frozen=True)
class Visit:
    """The claimed slot as a calendar entry."""

    claim_id: str
    start: datetime  # aware
    end: datetime  # aware
    zone: ZoneInfo
    summary: str
    location: str
    description: str


def uid_for(claim_id: str) -> str:
    return f"claim-{claim_id}@pivot-scheduling"


def visit_ics(visit: Visit, *, cancelled: bool = False, now: datetime | None = None) -> bytes:
    """An iCalendar document with one event: METHOD:PUBLISH, or METHOD:CANCEL for a release."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", uid_for(visit.claim_id))
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", visit.start.astimezone(visit.zone))
    event.add("dtend", visit.end.astimezone(visit.zone))
    event.add("summary", visit.summary)
    event.add("location", visit.location)
    event.add("description", visit.description)
    event.add("sequence", 1 if cancelled else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    # The zone's rules around the visit only (not 1970-2038): a small, exact VTIMEZONE.
    calendar.add_missing_timezones(
        first_date=(visit.start - timedelta(days=366)).date(),
        last_date=(visit.end + timedelta(days=366)).date(),
    )
    return bytes(calendar.to_ical())


def summary_for(title: str, room: str) -> str:
    return f"{PRODUCT_NAME}: {title} — {room}"
