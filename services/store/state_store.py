"""Durable key/value blobs with e-tags: the backing store of bot dialog state.

Writes are compare-and-swap on the e-tag, so two app instances (or two turns)
that read the same state cannot silently overwrite each other: the loser gets
`StateConflict` and Bot Framework retries or reports it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from services.errors import PivotError
from services.store.database import Database
from services.store.models import BotState


class StateConflict(PivotError):
    """The stored e-tag no longer matches: someone else wrote first."""

    user_message = "That conversation changed while you were typing. Please try again."


class StateStore:
    """Blob store keyed by string, with optimistic concurrency."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def read(self, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Map of key → (etag, data) for the keys that exist."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        async with self._db.session() as session:
            rows = await session.execute(
                select(BotState.key, BotState.etag, BotState.data).where(BotState.key.in_(wanted))
            )
            return {key: (etag, data) for key, etag, data in rows}

    async def write(self, key: str, data: str, expected_etag: str | None) -> str:
        """Store `data`; with `expected_etag` (not None / "*") only if it still matches."""
        new_etag = uuid.uuid4().hex
        if expected_etag in (None, "*"):
            await self._upsert(key, data, new_etag)
            return new_etag
        async with self._db.session() as session:
            result = await session.execute(
                update(BotState)
                .where(BotState.key == key, BotState.etag == expected_etag)
                .values(data=data, etag=new_etag, updated_at=func.now())
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                return new_etag
            exists = await session.scalar(select(BotState.key).where(BotState.key == key))
            if exists is not None:
                raise StateConflict(f"etag mismatch for state key hash {hash(key) & 0xFFFF:x}")
        try:
            async with self._db.session() as session:
                session.add(BotState(key=key, etag=new_etag, data=data))
        except IntegrityError:
            raise StateConflict("state created concurrently") from None
        return new_etag

    async def _upsert(self, key: str, data: str, etag: str) -> None:
        insert = self._db.insert
        stmt = insert(BotState).values(key=key, etag=etag, data=data)
        stmt = stmt.on_conflict_do_update(
            index_elements=[BotState.key], set_={"etag": etag, "data": data, "updated_at": func.now()}
        )
        async with self._db.session() as session:
            await session.execute(stmt)

    async def delete(self, keys: Iterable[str]) -> None:
        wanted = list(keys)
        if not wanted:
            return
        async with self._db.session() as session:
            await session.execute(delete(BotState).where(BotState.key.in_(wanted)))
