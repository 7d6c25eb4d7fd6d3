"""The incident view is read once per notice and shared, but never served stale: a claim, a
status change, new slots or any other write to what the view is read from (ORM, Core or raw
SQL) is in the next read; a write that commits while a read is in flight keeps that read out
of the cache; another instance's commit (its `NOTIFY`) drops what this one cached, its own does
not; and no view is kept longer than `VIEW_CACHE_SECONDS`."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, text, update

from services.domain.incident_view import IncidentView
from services.incidents import view_builder
from services.incidents.view_builder import load_incident_view
from services.jobs import enqueue
from services.store.claim_models import Claim
from services.store.database import Database
from services.store.models import Incident
from services.store.notification_models import Notification
from tests.services.notify.test_service import SLOT_STARTS, seed


class Reads:
    """Counts the database reads behind `load_incident_view`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.gate: asyncio.Event | None = None
        self.read = asyncio.Event()  # a read got its rows (and waits at `gate`, if any)
        real = view_builder._read_incident_view

        async def counted(db: Database, client_id: str, incident_id: str) -> IncidentView | None:
            self.count += 1
            view = await real(db, client_id, incident_id)
            self.read.set()
            if self.gate is not None:
                await self.gate.wait()
            return view

        monkeypatch.setattr(view_builder, "_read_incident_view", counted)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    return Reads(monkeypatch)


async def view(db: Database) -> IncidentView:
    got = await load_incident_view(db, "contoso", "INC-1")
    assert got is not None
    return got


async def test_one_read_serves_a_notice_and_concurrent_readers_share_it(db: Database, reads: Reads) -> None:
    await seed(db)
    views = await asyncio.gather(*(view(db) for _ in range(9)))
    assert reads.count == 1 and all(v is views[0] for v in views)
    assert await view(db) is views[0] and reads.count == 1
    # Writes to other tables (delivery rows, jobs) do not change the view.
    async with db.session() as session:
        await session.execute(update(Notification).values(reason="x"))
        await enqueue(session, db, "test.noop", {})
    assert await view(db) is views[0] and reads.count == 1


async def test_a_claim_is_in_the_next_read(db: Database, reads: Reads) -> None:
    await seed(db)
    before = await view(db)
    assert before.claim is None
    async with db.session() as session:
        session.add(
            Claim(
                id="c" * 16,
                client_id="contoso",
                incident_id="INC-1",
                slot_id="slot-0",
                slot_start=SLOT_STARTS[0],
                slot_end=SLOT_STARTS[0] + timedelta(hours=1),
                claimer_name="Sam Tech",
                via="teams",
                previous_status="slots_found",
            )
        )
        await session.execute(update(Incident).where(Incident.id == "INC-1").values(status="claimed"))
    after = await view(db)
    assert after.claim is not None and after.claim.slot_id == "slot-0" and after.status == "claimed"
    # A release (the claim row alone changes) too.
    async with db.session() as session:
        await session.execute(update(Claim).values(released_at=SLOT_STARTS[0]))
    assert (await view(db)).claim is None


@pytest.mark.parametrize("how", ["core", "raw", "orm"])
async def test_every_kind_of_write_is_seen(db: Database, reads: Reads, how: str) -> None:
    await seed(db)
    assert (await view(db)).slots
    if how == "core":
        async with db.session() as session:
            await session.execute(delete(Claim))
            await session.execute(text("DELETE FROM slots"))
    elif how == "raw":
        async with db.engine.begin() as conn:
            await conn.execute(text("DELETE FROM slots WHERE incident_id = 'INC-1'"))
    else:
        async with db.session() as session:
            incident = await session.get(Incident, ("contoso", "INC-1"))
            assert incident is not None
            incident.title = "Projector offline"
    seen = await view(db)
    assert (seen.title == "Projector offline") if how == "orm" else (seen.slots == ())


async def test_a_read_overtaken_by_a_commit_is_not_kept(db: Database, reads: Reads) -> None:
    await seed(db)
    reads.gate = asyncio.Event()
    reading = asyncio.create_task(view(db))
    await reads.read.wait()
    async with db.session() as session:  # commits while that read is in flight
        await session.execute(update(Incident).values(title="Changed"))
    waiter = asyncio.create_task(view(db))  # asked after the commit: must not take the old read
    await asyncio.sleep(0.01)
    reads.gate.set()
    old, new = await reading, await waiter
    assert new.title == "Changed" and old.title != "Changed"
    assert (await view(db)).title == "Changed"


async def test_another_instance_commit_drops_the_cache_and_our_own_does_not(
    db: Database, reads: Reads
) -> None:
    await seed(db)
    first = await view(db)
    db.external_change(db.instance_id)  # our own NOTIFY coming back
    assert await view(db) is first
    db.external_change("another-instance")
    assert await view(db) is not first and reads.count == 2
    db.external_change(None)  # a NOTIFY without a payload: could be anyone
    assert reads.count == 2 and await view(db) is not first and reads.count == 3


async def test_no_view_is_kept_past_its_time(
    db: Database, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(db)
    monkeypatch.setattr(view_builder, "VIEW_CACHE_SECONDS", 0.0)
    await view(db)
    await view(db)
    assert reads.count == 2


async def test_a_failed_read_is_not_shared(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await seed(db)
    real = view_builder._read_incident_view
    calls: list[int] = []

    async def flaky(*args: Any) -> IncidentView | None:
        calls.append(1)
        await asyncio.sleep(0.01)
        if len(calls) == 1:
            raise RuntimeError("database blip")
        return await real(*args)

    monkeypatch.setattr(view_builder, "_read_incident_view", flaky)
    first, second = await asyncio.gather(view(db), view(db), return_exceptions=True)
    assert isinstance(first, RuntimeError) and isinstance(second, IncidentView)


async def test_a_fresh_read_never_takes_the_cached_view(db: Database, reads: Reads) -> None:
    """What answers a change (a card updated after a claim, a clicker's answer) reads past the
    cache, so another instance's commit not yet announced here cannot leave a card stale."""
    await seed(db)
    await view(db)
    await view(db)
    assert reads.count == 1
    fresh = await load_incident_view(db, "contoso", "INC-1", fresh=True)
    assert fresh is not None and reads.count == 2
