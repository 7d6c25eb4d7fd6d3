"""How a client's Office 365 integration is doing: what `status` and `manage` show.

Read-only and database-only (no Graph call), so it answers instantly: who is
signed in, the calendar, when sync last ran, and per location the rooms
mapped, still to map and unreadable, and whether Automated Scheduling is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from services.m365.signin import BOOKING_SCOPE, grants
from services.store.database import Database
from services.store.models import (
    Client,
    ConversationRef,
    Integration,
    Location,
    LocationSettings,
    Room,
    RoomCalendarInfo,
    ServiceProvider,
)
from services.store.times import as_utc


@dataclass(frozen=True)
class RoomHealth:
    room_id: str
    name: str
    calendar_email: str | None
    readable: bool | None


@dataclass(frozen=True)
class LocationHealth:
    location_id: str
    name: str
    scheduling: bool
    rooms: tuple[RoomHealth, ...]
    service_provider: str | None
    sla_hours: float | None
    teams_channel: str | None
    book_room: bool = False

    @property
    def mapped(self) -> list[RoomHealth]:
        return [r for r in self.rooms if r.calendar_email]

    @property
    def unmapped(self) -> list[RoomHealth]:
        return [r for r in self.rooms if not r.calendar_email]

    @property
    def unreadable(self) -> list[RoomHealth]:
        return [r for r in self.rooms if r.calendar_email and r.readable is False]


@dataclass(frozen=True)
class Health:
    client_id: str
    client_name: str
    signed_in_upn: str | None
    connected: bool
    needs_reconnect: bool
    calendar_owner: str | None
    calendar_id: str | None
    last_sync_at: datetime | None
    locations: tuple[LocationHealth, ...]
    # The sign-in granted Calendars.ReadWrite (DESIGN 3.11).
    can_book_rooms: bool = False

    @property
    def configured(self) -> bool:
        return self.connected and self.calendar_id is not None

    @property
    def booking_waits_for_sign_in(self) -> list[LocationHealth]:
        """Locations that book rooms while the sign-in lacks Calendars.ReadWrite: booking is off
        there until an admin signs in again (claims go on without it)."""
        return [] if self.can_book_rooms else [loc for loc in self.locations if loc.book_room]

    def booking_state(self, location: LocationHealth) -> str:
        """off | on | waiting (on, but the sign-in does not allow it yet)."""
        if not location.book_room:
            return "off"
        return "on" if self.can_book_rooms else "waiting"


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


async def integration_health(db: Database, client_id: str) -> Health | None:
    """None when the client is unknown."""
    async with db.session() as session:
        client = await session.get(Client, client_id)
        if client is None:
            return None
        integration = await session.get(Integration, client_id)
        locations = list(
            await session.scalars(
                select(Location).where(Location.client_id == client_id).order_by(Location.name, Location.id)
            )
        )
        settings = {
            s.location_id: s
            for s in await session.scalars(
                select(LocationSettings).where(LocationSettings.client_id == client_id)
            )
        }
        providers = {
            p.id: p.name
            for p in await session.scalars(
                select(ServiceProvider).where(ServiceProvider.client_id == client_id)
            )
        }
        readable = {
            email: value
            for email, value in await session.execute(
                select(RoomCalendarInfo.email, RoomCalendarInfo.readable).where(
                    RoomCalendarInfo.client_id == client_id
                )
            )
        }
        rooms = list(
            await session.scalars(
                select(Room).where(Room.client_id == client_id).order_by(Room.name, Room.id)
            )
        )
        channel_names = {}
        for s in settings.values():
            if s.teams_channel:
                ref = await session.get(ConversationRef, s.teams_channel)
                channel_names[s.teams_channel] = (ref.channel_name if ref else None) or s.teams_channel
    out = []
    for loc in locations:
        s = settings.get(loc.id)
        out.append(
            LocationHealth(
                location_id=loc.id,
                name=loc.name,
                scheduling=bool(s.scheduling) if s else False,
                rooms=tuple(
                    RoomHealth(r.id, r.name, r.calendar_email, readable.get(r.calendar_email or ""))
                    for r in rooms
                    if r.location_id == loc.id
                ),
                service_provider=providers.get(s.service_provider_id)
                if s and s.service_provider_id
                else None,
                sla_hours=s.sla_hours if s else None,
                teams_channel=channel_names.get(s.teams_channel) if s and s.teams_channel else None,
                book_room=bool(s.book_room) if s else False,
            )
        )
    connected = bool(integration and integration.token_cache_enc and not integration.needs_reconnect)
    return Health(
        client_id=client_id,
        client_name=client.name,
        signed_in_upn=integration.signed_in_upn if integration else None,
        connected=connected,
        needs_reconnect=bool(integration and integration.needs_reconnect),
        calendar_owner=integration.calendar_owner if integration else None,
        calendar_id=integration.calendar_id if integration else None,
        last_sync_at=_aware(integration.last_sync_at) if integration else None,
        locations=tuple(out),
        can_book_rooms=connected
        and grants(integration.granted_scopes if integration else None, BOOKING_SCOPE),
    )
