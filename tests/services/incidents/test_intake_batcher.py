"""The intake group commit isolates a bad row: one failing insert never fails the others
(SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.incidents.intake_batcher import IntakeBatcher
from services.store.database import Database
from services.store.models import Incident, Job
from tests.conftest import TEST_SECRET_KEY
from tests.samples import directory


def rows(incident_id: str, triggered_at: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    incident = {
        "client_id": "contoso",
        "id": incident_id,
        "room_id": "hq-4b",
        "triggered_at": triggered_at,
        "title": "Display offline",
        "severity": "high",
        "description": None,
        "body_sha256": "0" * 64,
        "status": "accepted",
        "status_reason": None,
        "calendar_reads": 0,
    }
    job = {
        "kind": "incident.process",
        "payload": {"client_id": "contoso", "incident_id": incident_id},
        "status": "queued",
        "attempts": 0,
        "max_attempts": 50,
        "run_at": datetime.now(UTC),
        "dedupe_key": f"incident.process:contoso:{incident_id}",
    }
    return incident, job


async def test_one_failing_row_does_not_fail_its_batch(db: Database) -> None:
    await DirectoryService(db, SecretBox([TEST_SECRET_KEY])).import_document(directory())
    batcher = IntakeBatcher(db)
    good = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
    try:
        calls = [batcher.insert(*rows(f"INC-{n}", good)) for n in range(6)]
        calls.insert(3, batcher.insert(*rows("INC-BAD", "not an instant")))
        calls.append(batcher.insert(*rows("INC-0", good)))  # the same incident again in the batch
        results = await asyncio.gather(*calls, return_exceptions=True)
    finally:
        await batcher.close()
    assert isinstance(results[3], Exception)
    assert results[:3] + results[4:] == [True] * 6 + [False]
    async with db.session() as session:
        ids = set((await session.scalars(select(Incident.id))).all())
        jobs = await session.scalar(
            select(func.count()).select_from(Job).where(Job.kind == "incident.process")
        )
    assert ids == {f"INC-{n}" for n in range(6)}
    assert jobs == 6
