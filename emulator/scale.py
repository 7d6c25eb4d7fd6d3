"""Large tenants for scale tests and the bench: a room with thousands of events
and a tenant with hundreds of rooms, built as tenant-file dicts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

SHOW_AS = ("busy", "busy", "tentative", "free", "oof", None)
ZONES = ("Eastern Standard Time", "GMT Standard Time", "AUS Eastern Standard Time", "Pacific Standard Time")


def busy_room_events(count: int, *, first_day: date, per_day: int = 20) -> list[dict[str, Any]]:
    """`count` 15-minute events, `per_day` a day from 07:00 local, every 30 minutes;
    showAs cycles through every value (and null), every 7th is cancelled."""
    events: list[dict[str, Any]] = []
    for n in range(count):
        day, slot = divmod(n, per_day)
        start = datetime.combine(first_day + timedelta(days=day), datetime.min.time()) + timedelta(
            hours=7, minutes=30 * slot
        )
        end = start + timedelta(minutes=15)
        event: dict[str, Any] = {
            "id": f"evt-{n:05d}",
            "subject": f"Meeting {n:05d}",
            "start": {"dateTime": start.isoformat(), "timeZone": "Eastern Standard Time"},
            "end": {"dateTime": end.isoformat(), "timeZone": "Eastern Standard Time"},
            "showAs": SHOW_AS[n % len(SHOW_AS)],
            "isCancelled": n % 7 == 0,
            "isAllDay": False,
        }
        events.append(event)
    return events


def many_rooms_tenant(
    tenant_id: str, domain: str, *, rooms: int, events_per_room: int = 5, first_day: date
) -> dict[str, Any]:
    """A tenant with a service account and `rooms` rooms with place fields."""
    return {
        "tenant_id": tenant_id,
        "domain": domain,
        "users": [
            {
                "userPrincipalName": f"pivot@{domain}",
                "displayName": "pivot",
                "password": "scale-pass",
                "mailboxSettings": {"timeZone": "Eastern Standard Time"},
            }
        ],
        "rooms": [
            {
                "emailAddress": f"room-{n:04d}@{domain}",
                "displayName": f"B{n // 100}-{n % 100:02d} Room ({4 + n % 12})",
                "building": f"B{n // 100}",
                "floorNumber": n % 100 // 10,
                "floorLabel": f"Floor {n % 100 // 10}",
                "capacity": 4 + n % 12,
                "tags": ["VC"] if n % 3 == 0 else [],
                "isWheelChairAccessible": n % 2 == 0,
                "mailboxSettings": {"timeZone": ZONES[n % len(ZONES)]},
                "events": busy_room_events(events_per_room, first_day=first_day, per_day=events_per_room),
            }
            for n in range(rooms)
        ],
    }
