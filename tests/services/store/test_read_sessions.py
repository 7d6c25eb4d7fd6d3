"""Read sessions: on SQLite their own connections (WAL), so a read does not wait for the one
writer connection, yet sees every commit made before it began; they cannot write. On
PostgreSQL they are ordinary sessions of the one pool."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text, update

from services.store.database import Database
from services.store.models import Client


async def add_client(db: Database, name: str = "Contoso") -> None:
    async with db.session() as session:
        session.add(
            Client(
                id="contoso",
                name=name,
                tenant_id="t-1",
                notify_email="ops@contoso.example",
                webhook_secret_enc="x",
                api_key_sha256="0" * 64,
            )
        )


async def client_name(db: Database) -> str | None:
    async with db.read_session() as session:
        return await session.scalar(select(Client.name).where(Client.id == "contoso"))


async def test_a_read_sees_what_was_committed_before_it(db: Database) -> None:
    await add_client(db)
    assert await client_name(db) == "Contoso"
    async with db.session() as session:
        await session.execute(update(Client).values(name="Contoso Ltd"))
    assert await client_name(db) == "Contoso Ltd"


async def test_on_sqlite_a_read_does_not_wait_for_the_writer(db: Database) -> None:
    if db.is_postgres:
        pytest.skip("PostgreSQL: reads share the pool")
    await add_client(db)
    assert db.read_engine is not db.engine
    async with db.session() as session:  # holds the one writer connection, uncommitted
        await session.execute(update(Client).values(name="Not yet"))
        # Without its own connection this read would wait for the writer (and deadlock here).
        assert await asyncio.wait_for(client_name(db), 5) == "Contoso"
    assert await client_name(db) == "Not yet"


async def test_on_sqlite_a_read_session_cannot_write(db: Database) -> None:
    if db.is_postgres:
        pytest.skip("PostgreSQL: reads share the pool")
    await add_client(db)
    with pytest.raises(Exception, match=r"readonly|read-only|query_only"):
        async with db.read_session() as session:
            await session.execute(text("UPDATE clients SET name = 'x'"))
    assert await client_name(db) == "Contoso"
