"""The `claims` table as migration 0005 creates it, on SQLite and PostgreSQL: the schema
matches the models, one active claim per incident is a database fact (released ones do
not count), a link's hash is used once, and the migration goes down and up again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.store.claim_models import Claim
from services.store.database import Database, alembic_config
from services.store.models import Base
from tests.claims_support import claim_directory, seed_incident
from tests.conftest import TEST_SECRET_KEY

START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def row(claim_id: str, **extra: Any) -> Claim:
    values: dict[str, Any] = {
        "id": claim_id,
        "client_id": "contoso",
        "incident_id": "INC-1",
        "slot_id": "inc-1-s0",
        "slot_start": START,
        "slot_end": START + timedelta(hours=1),
        "claimer_name": "Sam",
        "via": "teams",
        "previous_status": "notified",
        "claimed_at": START - timedelta(hours=1),
    }
    values.update(extra)
    return Claim(**values)


async def add(db: Database, claim: Claim) -> None:
    async with db.session() as session:
        session.add(claim)


async def test_schema_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []


async def test_one_active_claim_per_incident(db: Database) -> None:
    await DirectoryService(db, SecretBox([TEST_SECRET_KEY])).import_document(claim_directory())
    await seed_incident(db, first_slot=START)
    await add(db, row("a" * 16))
    with pytest.raises(IntegrityError):
        await add(db, row("b" * 16, slot_id="inc-1-s1"))
    async with db.session() as session:
        await session.execute(update(Claim).where(Claim.id == "a" * 16).values(released_at=START))
    await add(db, row("b" * 16, token_sha256="f" * 64))  # the first one was released
    async with db.session() as session:
        await session.execute(update(Claim).where(Claim.id == "b" * 16).values(released_at=START))
    with pytest.raises(IntegrityError):
        await add(db, row("c" * 16, token_sha256="f" * 64))  # a link's hash is used once


async def test_downgrade_and_upgrade_again(db: Database) -> None:
    def cycle(sync: Any) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync
        command.downgrade(cfg, "0004")
        command.upgrade(cfg, "head")

    async with db.engine.begin() as conn:
        await conn.run_sync(cycle)
    assert await db.current_revision() == Database.head_revision()
