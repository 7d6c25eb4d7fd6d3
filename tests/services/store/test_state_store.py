"""Bot state blobs: e-tag compare-and-swap on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from services.store.database import Database
from services.store.state_store import StateConflict, StateStore


async def test_write_read_delete(db: Database) -> None:
    store = StateStore(db)
    etag = await store.write("k1", '{"a": 1}', None)
    assert await store.read(["k1", "missing"]) == {"k1": (etag, '{"a": 1}')}
    await store.delete(["k1"])
    assert await store.read(["k1"]) == {}


async def test_stale_etag_is_refused(db: Database) -> None:
    store = StateStore(db)
    first = await store.write("k", "v1", None)
    second = await store.write("k", "v2", first)
    assert second != first
    with pytest.raises(StateConflict):
        await store.write("k", "v3", first)
    assert await store.read(["k"]) == {"k": (second, "v2")}


async def test_star_and_missing_etag_overwrite(db: Database) -> None:
    store = StateStore(db)
    await store.write("k", "v1", None)
    await store.write("k", "v2", "*")
    etag = await store.write("k", "v3", None)
    assert await store.read(["k"]) == {"k": (etag, "v3")}


async def test_expected_etag_on_missing_key_creates_it(db: Database) -> None:
    store = StateStore(db)
    etag = await store.write("fresh", "v", "some-old-etag")
    assert await store.read(["fresh"]) == {"fresh": (etag, "v")}


async def test_concurrent_writers_with_same_etag_one_wins(db: Database) -> None:
    store = StateStore(db)
    base = await store.write("k", "v0", None)
    results = await asyncio.gather(
        *(store.write("k", f"v{i}", base) for i in range(1, 9)), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, StateConflict)]
    assert len(winners) == 1
    assert len(losers) == 7
    (etag, data) = (await store.read(["k"]))["k"]
    assert etag == winners[0]
    assert data == f"v{results.index(winners[0]) + 1}"
