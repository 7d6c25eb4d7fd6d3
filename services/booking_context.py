"""What is booked in the room at the incident and next, from the events the pipeline read.

Pure: Graph event JSON in, two short lines out, ready for `incidents.context`
(`{"booked_now": ..., "booked_next": ...}`), which the card and the e-mail show
so whoever fixes the room knows whom to warn. Only subject and organizer name
are used (the guide's step 2 shares "all details" for exactly this); private
meetings keep their subject to themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services import availability

MAX_SUBJECT = 120
NON_BLOCKING = {"free"}


def booking_context(events: Iterable[Any], at: datetime, zone: ZoneInfo) -> dict[str, str | None]:
    """`{"booked_now": "Standup, until 10:30 (Bo)", "booked_next": "Review, 11:00 (Ann)"}` (None if none)."""
    current: tuple[availability.CalendarEvent, dict[str, Any]] | None = None
    upcoming: tuple[availability.CalendarEvent, dict[str, Any]] | None = None
    for raw in events:
        event = availability.event_from_graph(raw)
        if event is None or event.is_cancelled or event.end <= event.start:
            continue
        if (event.show_as or "").casefold() in NON_BLOCKING:
            continue
        if event.start <= at < event.end:
            if current is None or event.start < current[0].start:
                current = (event, raw)
        elif event.start > at and (upcoming is None or event.start < upcoming[0].start):
            upcoming = (event, raw)
    return {
        "booked_now": _describe(*current, at, zone, now=True) if current else None,
        "booked_next": _describe(*upcoming, at, zone, now=False) if upcoming else None,
    }


def _describe(
    event: availability.CalendarEvent, raw: dict[str, Any], at: datetime, zone: ZoneInfo, *, now: bool
) -> str:
    subject = _subject(raw)
    if event.is_all_day:
        when = "all day"
    elif now:
        when = f"until {_clock(event.end, at, zone)}"
    else:
        when = _clock(event.start, at, zone)
    organizer = _organizer(raw)
    return f"{subject}, {when}" + (f" ({organizer})" if organizer else "")


def _clock(instant: datetime, at: datetime, zone: ZoneInfo) -> str:
    """`11:00` on the incident's local day, else `Wed 25 Nov 09:00`."""
    local = instant.astimezone(zone)
    if local.date() == at.astimezone(zone).date():
        return f"{local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def _subject(raw: dict[str, Any]) -> str:
    if str(raw.get("sensitivity") or "").casefold() in {"private", "confidential"}:
        return "Private meeting"
    subject = raw.get("subject")
    text = " ".join(subject.split()) if isinstance(subject, str) else ""
    if not text:
        return "Meeting (no subject)"
    return text if len(text) <= MAX_SUBJECT else text[: MAX_SUBJECT - 1] + "…"


def _organizer(raw: dict[str, Any]) -> str | None:
    organizer = raw.get("organizer")
    address = organizer.get("emailAddress") if isinstance(organizer, dict) else None
    name = address.get("name") if isinstance(address, dict) else None
    if isinstance(name, str) and name.strip():
        return " ".join(name.split())[:MAX_SUBJECT]
    return None
