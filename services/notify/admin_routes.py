"""Where to tell a client's admins something (sync findings, a lost sign-in).

Their 1:1 chats with the bot first; when no admin ever chatted with it, the
Teams channels chosen for the client's incident cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from services.store.database import Database
from services.store.models import ConversationRef, LocationSettings, User
from services.store.notification_models import IdentityLink

ADMIN_ROLE = "client_admin"


@dataclass(frozen=True)
class AdminRoute:
    conversation_id: str
    reference: dict[str, Any]
    kind: str  # personal | channel


async def admin_routes(db: Database, client_id: str) -> list[AdminRoute]:
    async with db.session() as session:
        admins = list(
            await session.scalars(select(User).where(User.client_id == client_id, User.role == ADMIN_ROLE))
        )
        aads: set[str] = {u.aad_object_id.lower() for u in admins if u.aad_object_id}
        if admins:
            links = await session.scalars(
                select(IdentityLink).where(
                    IdentityLink.client_id == client_id, IdentityLink.user_id.in_([u.id for u in admins])
                )
            )
            aads |= {link.aad_object_id.lower() for link in links if link.aad_object_id}
        routes: list[AdminRoute] = []
        if aads:
            refs = await session.scalars(
                select(ConversationRef)
                .where(
                    ConversationRef.conversation_type == "personal",
                    ConversationRef.active.is_(True),
                    ConversationRef.user_aad_object_id.in_(sorted(aads)),
                )
                .order_by(ConversationRef.conversation_id)
            )
            routes = [AdminRoute(r.conversation_id, dict(r.reference), "personal") for r in refs]
        if routes:
            return routes
        channel_ids = set(
            await session.scalars(
                select(LocationSettings.teams_channel).where(
                    LocationSettings.client_id == client_id, LocationSettings.teams_channel.is_not(None)
                )
            )
        )
        for channel_id in sorted(channel_ids):
            ref = await session.get(ConversationRef, channel_id)
            if ref is not None and ref.active:
                routes.append(AdminRoute(ref.conversation_id, dict(ref.reference), "channel"))
        return routes
