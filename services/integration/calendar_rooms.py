"""The rooms a room-booking calendar knows: the tenant's Places rooms plus every
room its events are booked in over the next weeks (setup step 5 and sync).

Rooms are keyed on their e-mail address (lower case), never on their display
name: names change, the mailbox does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from services.directory.schema import is_email
from services.m365.graph_errors import AccessDenied, MailboxNotFound

LOOKAHEAD = timedelta(weeks=4)
_EMAIL_KEYS = ("locationEmailAddress", "locationUri", "uniqueId")


class RoomSource(Protocol):
    """The Graph reads this module needs (GraphGateway has them)."""

    async def list_rooms(self, client_id: str) -> list[dict[str, Any]]: ...

    async def calendar_events(
        self, client_id: str, owner: str, calendar_id: str, start: datetime, end: datetime
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class CalendarRoom:
    email: str
    name: str
    in_places: bool

    def as_json(self) -> dict[str, Any]:
        return {"email": self.email, "name": self.name, "in_places": self.in_places}


def location_email(location: Any) -> str | None:
    """The room mailbox of an event location, if it names one."""
    if not isinstance(location, dict):
        return None
    for key in _EMAIL_KEYS:
        value = location.get(key)
        if isinstance(value, str) and is_email(value.strip()):
            return value.strip().lower()
    return None


def merge_rooms(places: Iterable[dict[str, Any]], events: Iterable[dict[str, Any]]) -> list[CalendarRoom]:
    """Places rooms first (their names win), then rooms only seen as event locations; by name."""
    rooms: dict[str, CalendarRoom] = {}
    for place in places:
        email = place.get("emailAddress")
        if not isinstance(email, str) or not is_email(email.strip()):
            continue
        key = email.strip().lower()
        name = place.get("displayName")
        rooms[key] = CalendarRoom(key, name.strip() if isinstance(name, str) and name.strip() else key, True)
    for event in events:
        location = event.get("location")
        key = location_email(location)
        if key is None or key in rooms:
            continue
        name = location.get("displayName") if isinstance(location, dict) else None
        rooms[key] = CalendarRoom(key, name.strip() if isinstance(name, str) and name.strip() else key, False)
    return sorted(rooms.values(), key=lambda r: (r.name.casefold(), r.email))


async def calendar_rooms(
    graph: RoomSource,
    client_id: str,
    calendar: tuple[str, str] | None,
    *,
    now: datetime | None = None,
    lookahead: timedelta = LOOKAHEAD,
) -> list[CalendarRoom]:
    """Every room of the tenant's room list and of the calendar's events in `lookahead`.

    `calendar` is (owner, id). A tenant without a Places room list (or without
    the permission) still yields the rooms its bookings name.
    """
    try:
        places = await graph.list_rooms(client_id)
    except (AccessDenied, MailboxNotFound):
        places = []
    events: list[dict[str, Any]] = []
    if calendar is not None:
        start = now or datetime.now(UTC)
        events = await graph.calendar_events(client_id, calendar[0], calendar[1], start, start + lookahead)
    return merge_rooms(places, events)
