"""Conversation references: where the bot may post proactively.

Stored when the bot is installed or first messaged, in personal chats, group
chats and channels. The reference itself is an opaque JSON document produced
by the Bot Framework edge; this module only files it under useful keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from services.store.database import Database
from services.store.models import ConversationRef

CONVERSATION_TYPES = ("personal", "groupChat", "channel")


@dataclass(frozen=True)
class StoredConversation:
    conversation_id: str
    conversation_type: str
    tenant_id: str | None
    team_id: str | None
    channel_name: str | None
    user_aad_object_id: str | None
    reference: dict[str, Any]
    active: bool


class ConversationDirectory:
    """Saves and finds conversation references."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def remember(self, conv: StoredConversation) -> None:
        """Insert or refresh a reference (an atomic upsert: Teams sends install events concurrently)."""
        if conv.conversation_type not in CONVERSATION_TYPES:
            raise ValueError(f"unknown conversation type {conv.conversation_type!r}")
        values = {
            "conversation_type": conv.conversation_type,
            "tenant_id": conv.tenant_id,
            "team_id": conv.team_id,
            "user_aad_object_id": conv.user_aad_object_id,
            "reference": conv.reference,
            "active": True,
        }
        update = dict(values, updated_at=func.now())
        if conv.channel_name:
            values["channel_name"] = update["channel_name"] = conv.channel_name
        insert = self._db.insert
        stmt = insert(ConversationRef).values(conversation_id=conv.conversation_id, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[ConversationRef.conversation_id], set_=update)
        async with self._db.session() as session:
            await session.execute(stmt)

    async def get(self, conversation_id: str) -> StoredConversation | None:
        async with self._db.session() as session:
            row = await session.get(ConversationRef, conversation_id)
        return _to_stored(row) if row else None

    async def personal_for(self, aad_object_id: str) -> StoredConversation | None:
        """The 1:1 chat with this user, if the bot has one."""
        async with self._db.session() as session:
            row = await session.scalar(
                select(ConversationRef)
                .where(
                    ConversationRef.conversation_type == "personal",
                    ConversationRef.user_aad_object_id == aad_object_id.lower(),
                )
                .order_by(ConversationRef.updated_at.desc())
                .limit(1)
            )
        return _to_stored(row) if row else None

    async def channels(self, tenant_id: str | None = None) -> list[StoredConversation]:
        """Channel conversations the bot is installed in (for picking an incident channel)."""
        async with self._db.session() as session:
            query = select(ConversationRef).where(ConversationRef.conversation_type == "channel")
            if tenant_id:
                query = query.where(ConversationRef.tenant_id == tenant_id)
            rows = await session.scalars(query.order_by(ConversationRef.conversation_id))
            return [_to_stored(r) for r in rows]

    async def mark_inactive(self, conversation_id: str) -> None:
        async with self._db.session() as session:
            row = await session.get(ConversationRef, conversation_id)
            if row is not None:
                row.active = False


def _to_stored(row: ConversationRef) -> StoredConversation:
    return StoredConversation(
        conversation_id=row.conversation_id,
        conversation_type=row.conversation_type,
        tenant_id=row.tenant_id,
        team_id=row.team_id,
        channel_name=row.channel_name,
        user_aad_object_id=row.user_aad_object_id,
        reference=dict(row.reference),
        active=row.active,
    )
