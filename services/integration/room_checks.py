"""Test-read room calendars and keep what was learnt in `room_calendar_info`.

Setup test-reads each room it maps once; sync re-checks every mapped room.
A room is readable when the service account may read its calendar; the
mailbox time zone is fetched for readable rooms only. The incident pipeline
takes a row with `checked_at` as a cached zone, so `checked_at` moves only when
the zone was actually read (or the row already held one).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from services.m365.graph_errors import GraphError, ReconnectNeeded
from services.store.database import Database
from services.store.models import RoomCalendarInfo

log = logging.getLogger(__name__)
CONCURRENCY = 4


class ReadProbe(Protocol):
    async def can_read(self, client_id: str, room_email: str) -> bool: ...

    async def room_timezone(self, client_id: str, room_email: str) -> str | None: ...


@dataclass(frozen=True)
class RoomAccess:
    email: str
    readable: bool | None  # None: Microsoft 365 did not answer, so unknown this time
    timezone: str | None
    zone_read: bool


async def _probe(graph: ReadProbe, client_id: str, email: str) -> RoomAccess:
    try:
        readable = await graph.can_read(client_id, email)
    except ReconnectNeeded:
        raise
    except GraphError as exc:
        log.info("room read check failed client=%s room=%s error=%s", client_id, email, exc.code)
        return RoomAccess(email, None, None, False)
    if not readable:
        return RoomAccess(email, False, None, False)
    try:
        zone = await graph.room_timezone(client_id, email)
    except ReconnectNeeded:
        raise
    except GraphError as exc:
        log.info("room zone read failed client=%s room=%s error=%s", client_id, email, exc.code)
        return RoomAccess(email, True, None, False)
    return RoomAccess(email, True, zone, True)


async def check_rooms(
    db: Database, graph: ReadProbe, client_id: str, emails: Iterable[str]
) -> dict[str, RoomAccess]:
    """Probe each room once (a few at a time) and record the answers."""
    wanted = sorted({e.lower() for e in emails if e})
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(email: str) -> RoomAccess:
        async with gate:
            return await _probe(graph, client_id, email)

    results = await asyncio.gather(*(one(e) for e in wanted))
    now = datetime.now(UTC)
    async with db.session() as session:
        for access in results:
            if access.readable is None:
                continue
            row = await session.get(RoomCalendarInfo, (client_id, access.email))
            if row is None:
                row = RoomCalendarInfo(client_id=client_id, email=access.email)
                session.add(row)
            row.readable = access.readable
            if access.zone_read:
                row.mailbox_timezone = access.timezone
                row.checked_at = now
            elif not access.readable and row.mailbox_timezone is not None:
                row.checked_at = now
    return {a.email: a for a in results}
