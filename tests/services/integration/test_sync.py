"""Sync scheduling (one job per slot), one run at a time, and the room diff.

The full sync against Microsoft 365 (the emulator) is tested over HTTP in
tests/bot/test_setup.py; here Graph and the sign-in are small stand-ins."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.integration.sync import SYNC_JOB, SyncService, diff_rooms, schedule_sync
from services.integration.sync_memory import SyncMemory
from services.store.database import Database
from services.store.models import Integration, Job
from services.store.state_store import StateStore
from tests.conftest import TEST_SECRET_KEY
from tests.samples import directory

INTERVAL = 3600.0


def test_diff_rooms_names_new_renamed_and_removed_rooms() -> None:
    before = {"a@x.com": "A", "b@x.com": "B", "c@x.com": "C"}
    after = {"a@x.com": "A", "b@x.com": "B2", "d@x.com": "D"}
    report = diff_rooms(before, after, {"c@x.com": "Room C"})
    assert report.new == [{"email": "d@x.com", "name": "D", "pivot_room": None}]
    assert report.renamed == [{"email": "b@x.com", "old": "B", "name": "B2", "pivot_room": None}]
    assert report.removed == [{"email": "c@x.com", "name": "C", "pivot_room": "Room C"}]
    assert diff_rooms(None, after, {}).empty  # the first look is the baseline


async def jobs(db: Database) -> list[Job]:
    async with db.session() as session:
        return list(await session.scalars(select(Job).where(Job.kind == SYNC_JOB).order_by(Job.id)))


async def test_one_sync_job_per_slot_whoever_schedules_it(db: Database) -> None:
    now = datetime.now(UTC)
    await schedule_sync(db, INTERVAL, now=now)
    await schedule_sync(db, INTERVAL, now=now)  # a second instance starting in the same slot
    await schedule_sync(db, INTERVAL, now=now, next_slot=True)
    await schedule_sync(db, INTERVAL, now=now, next_slot=True)  # a retried run
    found = await jobs(db)
    assert len(found) == 2
    first, second = (j.run_at.replace(tzinfo=UTC) if j.run_at.tzinfo is None else j.run_at for j in found)
    assert abs(first - now) < timedelta(seconds=5)  # due now
    boundary = datetime.fromtimestamp((now.timestamp() // INTERVAL + 1) * INTERVAL, UTC)
    assert abs(second - boundary) < timedelta(seconds=5)  # at the next slot's start


class BlockingIdentity:
    """The sign-in check waits until released, so a run can be held open."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def access_token(self, client_id: str, *, rejected: str | None = None) -> str:
        self.entered.set()
        await self.release.wait()
        return "token"


class EmptyGraph:
    async def list_rooms(self, client_id: str) -> list[dict[str, Any]]:
        return []

    async def calendar_events(self, *args: Any) -> list[dict[str, Any]]:
        return []

    async def can_read(self, client_id: str, email: str) -> bool:
        return True

    async def room_timezone(self, client_id: str, email: str) -> str | None:
        return None


async def test_only_one_sync_runs_at_a_time(db: Database) -> None:
    await DirectoryService(db, SecretBox([TEST_SECRET_KEY])).import_document(directory())
    async with db.session() as session:
        session.add(Integration(client_id="contoso", token_cache_enc="cache", needs_reconnect=False))
    identity = BlockingIdentity()
    memory = SyncMemory(StateStore(db))
    one = SyncService(db, EmptyGraph(), identity, memory, interval=INTERVAL)  # type: ignore[arg-type]
    # On PostgreSQL a second instance is held off by the advisory lock; on SQLite (one
    # instance) the same service is asked twice.
    two = (
        SyncService(db, EmptyGraph(), identity, memory, interval=INTERVAL)  # type: ignore[arg-type]
        if db.is_postgres
        else one
    )
    first = asyncio.create_task(one.run_once())
    await asyncio.wait_for(identity.entered.wait(), 10)
    assert await two.run_once() == {}
    identity.release.set()
    assert await first == {"contoso": "ok"}
    assert await two.run_once() == {"contoso": "ok"}  # the lock is free again
    async with db.session() as session:
        integration = await session.get(Integration, "contoso")
    assert integration is not None and integration.last_sync_at is not None
