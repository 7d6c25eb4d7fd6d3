"""Group commit for the incident webhook: concurrent deliveries share one transaction.

Each delivery still gets its answer only after its own row is committed, so
"202 only after the incident is committed" holds; under load, one commit and
one round of statements serve many requests instead of one each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from services.jobs import job_insert_statement
from services.store.database import JOBS_CHANNEL, Database
from services.store.models import Incident

log = logging.getLogger(__name__)
MAX_BATCH = 128


@dataclass
class _Pending:
    incident: dict[str, Any]
    job: dict[str, Any]
    done: asyncio.Future[bool]

    @property
    def key(self) -> tuple[str, str]:
        return (self.incident["client_id"], self.incident["id"])


class IntakeBatcher:
    """One writer task; requests queue their rows and wait for the commit that holds them."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._queue: asyncio.Queue[_Pending] | None = None
        self._task: asyncio.Task[None] | None = None
        insert = db.insert
        self._insert_incidents = (
            insert(Incident)
            .on_conflict_do_nothing(index_elements=["client_id", "id"])
            .returning(Incident.client_id, Incident.id)
        )
        self._insert_jobs = job_insert_statement(db, dedupe=True)
        self._notify = text(f"NOTIFY {JOBS_CHANNEL}, '{db.instance_id}'")  # ours: see Database
        self._writing = False

    async def insert(self, incident: dict[str, Any], job: dict[str, Any]) -> bool:
        """Commit the incident and its job; False when that incident id already existed."""
        if self._task is None or self._task.done():
            self._queue = asyncio.Queue()
            self._task = asyncio.create_task(self._writer(), name="incident-intake-writer")
        assert self._queue is not None
        pending = _Pending(incident, job, asyncio.get_running_loop().create_future())
        self._queue.put_nowait(pending)
        return await pending.done

    def busy(self) -> bool:
        """True while deliveries are backing up (queued behind a write, or a write under way).

        Only a real backlog counts: at a steady trickle (say 20/s) background jobs must not wait,
        since the notifications they send are what the incidents are for."""
        return (self._queue is not None and not self._queue.empty()) or self._writing

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _writer(self) -> None:
        assert self._queue is not None
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._writing = True
            try:
                winners = await self._write(batch)
            except Exception as exc:
                if len(batch) == 1:
                    self._fail(batch[0], exc)
                    continue
                # One bad row must never fail the others: write each on its own.
                log.warning(
                    "intake batch failed batch=%d error=%s: writing rows one by one",
                    len(batch),
                    type(exc).__name__,
                )
                await self._write_singly(batch)
                continue
            finally:
                self._writing = False
            for item in batch:
                if not item.done.done():
                    item.done.set_result(id(item) in winners)

    async def _write_singly(self, batch: list[_Pending]) -> None:
        for item in batch:
            if item.done.done():
                continue
            try:
                winners = await self._write([item])
            except Exception as exc:
                self._fail(item, exc)
                continue
            item.done.set_result(id(item) in winners)

    @staticmethod
    def _fail(item: _Pending, exc: Exception) -> None:
        log.error("intake commit failed client=%s incident=%s error=%s", *item.key, type(exc).__name__)
        if not item.done.done():
            item.done.set_exception(exc)

    async def _write(self, batch: list[_Pending]) -> set[int]:
        """Insert; returns the ids of the batch items that created their incident."""
        first: dict[tuple[str, str], _Pending] = {}
        for item in batch:
            first.setdefault(item.key, item)  # the same incident twice in a batch: the first one wins
        async with self._db.engine.begin() as conn:
            rows = await conn.execute(self._insert_incidents, [p.incident for p in first.values()])
            inserted = {(r.client_id, r.id) for r in rows}
            jobs = [p.job for key, p in first.items() if key in inserted]
            if jobs:
                await conn.execute(self._insert_jobs, jobs)
                if self._db.is_postgres:
                    await conn.execute(self._notify)
        if jobs:
            self._db.jobs_committed()  # the pipeline starts now, not at the runner's next poll
        return {id(p) for key, p in first.items() if key in inserted}
