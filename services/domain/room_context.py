"""What is booked in the room right now and next, in words people can act on.

The organizer's name is why the guide asks for "Can View All Details": the
service provider can find the meeting host when the room is busy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.domain.availability import CalendarEvent, event_from_graph
from services.domain.time_format import HOUSE_STYLE


def _label(raw: dict[str, Any], event: CalendarEvent, zone: ZoneInfo, *, with_day: bool) -> str:
    subject = str(raw.get("subject") or "Busy").strip() or "Busy"
    organizer = ((raw.get("organizer") or {}).get("emailAddress") or {}).get("name")
    weekday = HOUSE_STYLE.weekday(event.start, zone)
    if event.is_all_day:
        when = f"all day {weekday}" if with_day else "all day"
    else:
        span = HOUSE_STYLE.span(event.start, event.end, zone)
        when = f"{weekday} {span}" if with_day else span
    return f"{subject} ({organizer}), {when}" if organizer else f"{subject}, {when}"


def booked_now_and_next(
    raw_events: list[dict[str, Any]], trigger: datetime, zone: ZoneInfo
) -> dict[str, str]:
    """`{"booked_now": ..., "booked_next": ...}` (keys only when there is something to say)."""
    busy: list[tuple[CalendarEvent, dict[str, Any]]] = []
    for raw in raw_events:
        event = event_from_graph(raw)
        if event is None or event.is_cancelled or event.show_as == "free" or event.end <= event.start:
            continue
        busy.append((event, raw))
    busy.sort(key=lambda pair: pair[0].start)
    out: dict[str, str] = {}
    now = [pair for pair in busy if pair[0].start <= trigger < pair[0].end]
    if now:
        event, raw = now[0]
        out["booked_now"] = _label(raw, event, zone, with_day=False)
    upcoming = [pair for pair in busy if pair[0].start > trigger]
    if upcoming:
        event, raw = upcoming[0]
        out["booked_next"] = _label(raw, event, zone, with_day=True)
    return out
