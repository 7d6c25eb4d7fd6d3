"""Reading a room's calendar again right before a claim is confirmed, within a time budget.

A Teams invoke must be answered within seconds, so the read is bounded by a
budget that fits real Graph latency, paged calendars included
(`CLAIM_RECHECK_BUDGET_SECONDS`). If Graph is down the claim fails closed
(`RecheckFailed`) rather than booking a slot nobody checked; if it is merely
slow the read goes on in the background (`RecheckPending`: the clicker is told
"checking…"), and its result is kept long enough to answer the next click.
Concurrent claims of one incident share one read (single flight), and a read
is reused for a moment, so a burst of clicks costs Graph one request per app
instance, not one per click.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime

from services.domain import availability
from services.errors import PivotError
from services.incidents.service import CalendarSource
from services.m365.graph_errors import GraphError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 8.0  # seconds (CLAIM_RECHECK_BUDGET_SECONDS): real Graph latency, paging included
DEFAULT_REUSE = 2.0  # seconds a fresh read answers other claims of the same incident
LATE_REUSE = 30.0  # seconds a read that outlived its budget answers the click that follows
_MAX_REMEMBERED = 256

_Key = tuple[str, str, datetime, datetime]


class RecheckFailed(PivotError):
    """The room's calendar could not be read (or had an event we cannot place)."""


class RecheckPending(RecheckFailed):
    """The read is still under way after the budget: ask the clicker to try again in a moment."""


class CalendarRecheck:
    def __init__(
        self,
        calendars: CalendarSource | None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        reuse_seconds: float = DEFAULT_REUSE,
        late_reuse_seconds: float = LATE_REUSE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._calendars = calendars
        self._timeout = timeout
        self._reuse = reuse_seconds
        self._late_reuse = late_reuse_seconds
        self._late: set[_Key] = set()
        self._clock = clock
        self._inflight: dict[_Key, asyncio.Task[list[availability.CalendarEvent]]] = {}
        self._recent: dict[_Key, tuple[float, list[availability.CalendarEvent]]] = {}

    async def events(
        self, client_id: str, room_email: str, start: datetime, end: datetime
    ) -> list[availability.CalendarEvent]:
        """The room's events over [start, end), read now (or a moment ago) — or `RecheckFailed`."""
        if self._calendars is None:
            raise RecheckFailed("no calendar source configured")
        key: _Key = (client_id, room_email.lower(), start, end)
        hit = self._recent.get(key)
        if hit is not None and hit[0] > self._clock():
            return hit[1]
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._read(client_id, room_email, start, end))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        try:
            return await asyncio.wait_for(asyncio.shield(task), self._timeout)
        except TimeoutError:
            self._late.add(key)
            log.warning("calendar re-check still running client=%s room=%s", client_id, room_email)
            raise RecheckPending("calendar read still running") from None

    async def fresh(
        self, client_id: str, room_email: str, start: datetime, end: datetime
    ) -> list[availability.CalendarEvent]:
        """The room's events read now, never a reused read, without the invoke's time budget
        (background work: a declined room booking) — or `RecheckFailed`."""
        if self._calendars is None:
            raise RecheckFailed("no calendar source configured")
        return await self._read(client_id, room_email, start, end)

    async def _read(
        self, client_id: str, room_email: str, start: datetime, end: datetime
    ) -> list[availability.CalendarEvent]:
        assert self._calendars is not None
        try:
            raw = await self._calendars.room_events(client_id, room_email, start, end)
        except GraphError as exc:
            log.warning(
                "calendar re-check failed client=%s room=%s reason=%s", client_id, room_email, exc.code
            )
            raise RecheckFailed(f"calendar unavailable: {exc.code}") from None
        except Exception as exc:  # anything unexpected fails closed too: never book an unchecked slot
            log.error(
                "calendar re-check error client=%s room=%s error=%s",
                client_id,
                room_email,
                type(exc).__name__,
            )
            raise RecheckFailed(f"calendar read failed: {type(exc).__name__}") from None
        events = [availability.event_from_graph(item) for item in raw]
        if any(e is None for e in events):
            raise RecheckFailed("an event could not be placed in time")
        return [e for e in events if e is not None]

    def _finished(self, key: _Key, task: asyncio.Task[list[availability.CalendarEvent]]) -> None:
        self._inflight.pop(key, None)
        late = key in self._late
        self._late.discard(key)
        if task.cancelled():
            return
        if task.exception() is not None:  # retrieved here so it is never reported as lost
            return
        if len(self._recent) >= _MAX_REMEMBERED:
            now = self._clock()
            for stale in [k for k, (until, _) in self._recent.items() if until <= now]:
                del self._recent[stale]
            if len(self._recent) >= _MAX_REMEMBERED:
                self._recent.clear()
        self._recent[key] = (self._clock() + (self._late_reuse if late else self._reuse), task.result())

    async def close(self) -> None:
        for task in list(self._inflight.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
