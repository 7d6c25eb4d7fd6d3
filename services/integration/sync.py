"""Periodic sync (DESIGN 1.5): re-read each connected client's rooms and calendar access.

A durable job (`sync.rooms`) runs every `SYNC_INTERVAL_SECONDS` (one job per
time slot: the slot number is its dedupe key, so several instances starting
together schedule it once). One run at a time: an advisory lock on
PostgreSQL, an in-process lock on SQLite (one instance anyway).

Per client it checks the sign-in (forcing a token refresh, because Graph keeps
accepting a revoked account's access token until it expires), reads the rooms
(Places plus the booking calendar's event locations), test-reads every mapped
room, and records what it learnt (`room_calendar_info`, `last_sync_at`). New,
renamed and removed rooms, and rooms that became unreadable, are reported to
the client admins once; a lost sign-in is reported at once (and again daily
while it lasts). Reports are `admin.notice` jobs, queued in the same
transaction as `last_sync_at`, and posted by the Bot Framework edge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update

from services.incidents.service import SYNC_NOW_JOB
from services.integration.calendar_rooms import calendar_rooms
from services.integration.room_checks import check_rooms
from services.integration.sync_memory import Memory, SyncMemory
from services.jobs import JobInfo, enqueue
from services.m365.graph_errors import AccessDenied, GraphError, MailboxNotFound, ReconnectNeeded
from services.m365.graph_gateway import GraphGateway
from services.m365.signin import IdentityService
from services.m365.signin_check import verify_sign_in
from services.notify.admin_routes import AdminRoute, admin_routes
from services.store.database import Database
from services.store.models import Integration, Room

log = logging.getLogger(__name__)

SYNC_JOB = SYNC_NOW_JOB  # also queued by the incident pipeline when it sees a lost sign-in
NOTICE_JOB = "admin.notice"
SYNC_LOCK_ID = 0x70697653  # "pivS"
RECONNECT_REMINDER = timedelta(hours=24)


@dataclass
class SyncReport:
    """What changed for one client since the last run (JSON-ready lists of dicts)."""

    new: list[dict[str, Any]] = field(default_factory=list)
    renamed: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)
    calendar_unreadable: bool = False

    @property
    def empty(self) -> bool:
        return not (self.new or self.renamed or self.removed or self.unreadable or self.calendar_unreadable)

    def as_json(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "renamed": self.renamed,
            "removed": self.removed,
            "unreadable": self.unreadable,
            "calendar_unreadable": self.calendar_unreadable,
        }


def diff_rooms(
    previous: dict[str, str] | None,
    current: dict[str, str],
    mapped: dict[str, str],
) -> SyncReport:
    """New, renamed and removed rooms; `mapped` is calendar e-mail → pivot room name."""
    report = SyncReport()
    if previous is None:  # first look: this is the baseline
        return report
    for email in sorted(current.keys() - previous.keys()):
        report.new.append({"email": email, "name": current[email], "pivot_room": mapped.get(email)})
    for email in sorted(current.keys() & previous.keys()):
        if current[email] != previous[email]:
            report.renamed.append(
                {
                    "email": email,
                    "old": previous[email],
                    "name": current[email],
                    "pivot_room": mapped.get(email),
                }
            )
    for email in sorted(previous.keys() - current.keys()):
        report.removed.append({"email": email, "name": previous[email], "pivot_room": mapped.get(email)})
    return report


def slot_of(moment: datetime, interval: float) -> int:
    return int(moment.timestamp() // interval)


async def schedule_sync(
    db: Database, interval: float, *, now: datetime | None = None, next_slot: bool = False
) -> None:
    """Queue the sync for the current slot (due now) or the next one (due at its start)."""
    moment = now or datetime.now(UTC)
    slot = slot_of(moment, interval) + (1 if next_slot else 0)
    delay = max(0.0, slot * interval - moment.timestamp())
    async with db.session() as session:
        await enqueue(
            session,
            db,
            SYNC_JOB,
            {"slot": slot},
            dedupe_key=f"{SYNC_JOB}:{int(interval)}:{slot}",
            delay=delay,
            max_attempts=3,
        )


class SyncService:
    def __init__(
        self,
        db: Database,
        graph: GraphGateway,
        identity: IdentityService,
        memory: SyncMemory,
        *,
        interval: float,
    ) -> None:
        self._db = db
        self._graph = graph
        self._identity = identity
        self._memory = memory
        self._interval = interval
        self._running = asyncio.Lock()

    async def handle(self, job: JobInfo) -> None:
        """The `sync.rooms` job: run, then make sure the next slot is queued."""
        try:
            await self.run_once()
        finally:
            await schedule_sync(self._db, self._interval, next_slot=True)

    @contextlib.asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[bool]:
        if self._running.locked():
            yield False
            return
        async with self._running:
            if not self._db.is_postgres:
                yield True
                return
            async with self._db.engine.connect() as conn:
                got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:id)"), {"id": SYNC_LOCK_ID}))
                try:
                    yield got
                finally:
                    if got:
                        await conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": SYNC_LOCK_ID})
                        await conn.commit()

    async def run_once(self) -> dict[str, str]:
        """Sync every connected client; each client's outcome (empty: another run holds the lock)."""
        async with self._exclusive() as mine:
            if not mine:
                log.info("sync skipped: another run is in progress")
                return {}
            async with self._db.session() as session:
                clients = list(
                    await session.scalars(
                        select(Integration.client_id)
                        .where(Integration.token_cache_enc.is_not(None))
                        .order_by(Integration.client_id)
                    )
                )
            outcomes: dict[str, str] = {}
            for client_id in clients:
                try:
                    outcomes[client_id] = await self.sync_client(client_id)
                except Exception:  # one client's trouble must not stop the others
                    log.exception("sync failed client=%s", client_id)
                    outcomes[client_id] = "failed"
            log.info("sync done clients=%d outcomes=%s", len(clients), outcomes)
            return outcomes

    async def sync_client(self, client_id: str) -> str:
        """ok | reported | reconnect | unavailable."""
        memory = await self._memory.load(client_id)
        async with self._db.session() as session:
            integration = await session.get(Integration, client_id)
        if integration is None or integration.token_cache_enc is None:
            return "unavailable"
        if integration.needs_reconnect:
            return await self._reconnect(client_id, memory)
        calendar = (
            (integration.calendar_owner, integration.calendar_id)
            if integration.calendar_owner and integration.calendar_id
            else None
        )
        report = SyncReport()
        try:
            await verify_sign_in(self._identity, client_id)
            try:
                found = await calendar_rooms(self._graph, client_id, calendar)
            except (AccessDenied, MailboxNotFound):
                report.calendar_unreadable = True
                found = None
            async with self._db.session() as session:
                mapped_rooms = list(
                    await session.scalars(
                        select(Room).where(Room.client_id == client_id, Room.calendar_email.is_not(None))
                    )
                )
            access = await check_rooms(
                self._db, self._graph, client_id, [r.calendar_email for r in mapped_rooms if r.calendar_email]
            )
        except ReconnectNeeded:
            return await self._reconnect(client_id, memory)
        except GraphError as exc:
            log.warning("sync could not read Microsoft 365 client=%s error=%s", client_id, exc.code)
            return "unavailable"

        names = {r.calendar_email: r.name for r in mapped_rooms if r.calendar_email}
        if found is not None:
            current = {r.email: r.name for r in found}
            changes = diff_rooms(memory.rooms, current, names)
            report.new, report.renamed, report.removed = changes.new, changes.renamed, changes.removed
            memory.rooms = current
        removed = {r["email"] for r in report.removed}
        unreadable = sorted(e for e, a in access.items() if a.readable is False)
        already = set(memory.reported_unreadable)
        for email in unreadable:
            if email not in already and email not in removed:
                report.unreadable.append({"email": email, "pivot_room": names.get(email)})
        unknown = {e for e, a in access.items() if a.readable is None}
        memory.reported_unreadable = sorted(set(unreadable) | (already & unknown))
        memory.reconnect_reported_at = None

        routes = [] if report.empty else await admin_routes(self._db, client_id)
        async with self._db.session() as session:
            await session.execute(
                update(Integration)
                .where(Integration.client_id == client_id)
                .values(last_sync_at=datetime.now(UTC))
            )
            if not report.empty:
                await self._notify(session, client_id, routes, "sync_report", report.as_json())
        await self._memory.save(client_id, memory)
        return "ok" if report.empty else "reported"

    async def _reconnect(self, client_id: str, memory: Memory) -> str:
        now = datetime.now(UTC)
        last = memory.reconnect_reported_at
        if last is not None:
            with contextlib.suppress(ValueError):
                if now - datetime.fromisoformat(last) < RECONNECT_REMINDER:
                    return "reconnect"
        routes = await admin_routes(self._db, client_id)
        async with self._db.session() as session:
            await self._notify(session, client_id, routes, "reconnect", {})
        memory.reconnect_reported_at = now.isoformat()
        await self._memory.save(client_id, memory)
        log.warning("sync: Office 365 sign-in lost, admins told client=%s", client_id)
        return "reconnect"

    async def _notify(
        self, session: Any, client_id: str, routes: list[AdminRoute], kind: str, report: dict[str, Any]
    ) -> None:
        """Queue one notice per admin conversation, inside the caller's transaction."""
        if not routes:
            log.warning("sync: no Teams conversation with any admin client=%s kind=%s", client_id, kind)
        for route in routes:
            await enqueue(
                session,
                self._db,
                NOTICE_JOB,
                {
                    "client_id": client_id,
                    "kind": kind,
                    "report": report,
                    "conversation_id": route.conversation_id,
                    "route": route.kind,
                    "reference": route.reference,
                },
                max_attempts=10,
            )
