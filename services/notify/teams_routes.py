"""Where a Teams notification goes: a user's 1:1 chat or a channel, from stored data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from services.domain.recipients import CARD_EVENTS, TEAMS
from services.metrics import Metrics, finished_notification_columns, record_notification
from services.store.database import Database
from services.store.models import Client, ConversationRef, User
from services.store.notification_models import IdentityLink, Notification


@dataclass(frozen=True)
class TeamsTarget:
    """Either a stored conversation to post into, or what is needed to open a 1:1 chat."""

    reference: dict[str, Any] | None
    member_id: str | None = None
    tenant_id: str | None = None
    service_url: str | None = None


class TeamsRoutes:
    def __init__(self, db: Database, metrics: Metrics | None = None) -> None:
        self._metrics = metrics or Metrics()
        self._db = db

    async def notification(self, notification_id: int) -> Notification | None:
        async with self._db.session() as session:
            return await session.get(Notification, notification_id)

    async def target_for(self, notification: Notification) -> TeamsTarget | None:
        """None when there is no way to reach the recipient in Teams."""
        async with self._db.session() as session:
            if notification.recipient.startswith("channel:"):
                ref = await session.get(ConversationRef, notification.recipient.removeprefix("channel:"))
                if ref is None or not ref.active:
                    return None
                return TeamsTarget(reference=dict(ref.reference))
            user = await session.get(User, (notification.client_id, notification.recipient_user_id))
            if user is None:
                return None
            link = await session.scalar(
                select(IdentityLink).where(
                    IdentityLink.client_id == user.client_id, IdentityLink.user_id == user.id
                )
            )
            aad = user.aad_object_id or (link.aad_object_id if link else None)
            if aad:
                ref = await session.scalar(
                    select(ConversationRef)
                    .where(
                        ConversationRef.conversation_type == "personal",
                        ConversationRef.user_aad_object_id == aad.lower(),
                        ConversationRef.active.is_(True),
                    )
                    .order_by(ConversationRef.updated_at.desc())
                    .limit(1)
                )
                if ref is not None:
                    return TeamsTarget(reference=dict(ref.reference))
            member = link.teams_user_id if link else aad
            if member is None:
                return None
            client = await session.get(Client, user.client_id)
            tenant = (link.tenant_id if link else None) or (client.tenant_id if client else None)
            # A 1:1 chat is opened on the service URL of any conversation the bot has in that tenant.
            any_ref = await session.scalar(
                select(ConversationRef).where(ConversationRef.tenant_id == tenant).limit(1)
            )
            if any_ref is None:
                return None
            return TeamsTarget(
                reference=None,
                member_id=member,
                tenant_id=tenant,
                service_url=any_ref.reference.get("serviceUrl"),
            )

    async def mark(
        self,
        notification_id: int,
        status: str,
        *,
        reason: str | None = None,
        conversation_id: str | None = None,
        activity_id: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "reason": reason, "updated_at": func.now()}
        if conversation_id is not None:
            values["conversation_id"] = conversation_id
        if activity_id is not None:
            values["activity_id"] = activity_id
        async with self._db.session() as session:
            changed = await session.execute(
                update(Notification)
                .where(Notification.id == notification_id)
                .values(**values)
                .returning(*finished_notification_columns())
            )
            row = changed.first()
            if row is not None:
                await record_notification(session, self._metrics, TEAMS, status, *row[:3], accepted_at=row[3])

    async def deactivate_conversation(self, conversation_id: str) -> None:
        async with self._db.session() as session:
            await session.execute(
                update(ConversationRef)
                .where(ConversationRef.conversation_id == conversation_id)
                .values(active=False, updated_at=func.now())
            )

    async def mark_card_notices(self, card: Notification, status: str, *, reason: str | None = None) -> int:
        """A posted card was updated in place (or could not be): record it on the recipient's
        queued Teams notices of card events (`resolved`, `sla_breached`), whose delivery it is."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Notification)
                .where(
                    Notification.client_id == card.client_id,
                    Notification.incident_id == card.incident_id,
                    Notification.channel == TEAMS,
                    Notification.recipient == card.recipient,
                    Notification.event.in_(CARD_EVENTS),
                    Notification.status == "queued",
                )
                .values(
                    status=status, reason=reason, conversation_id=card.conversation_id, updated_at=func.now()
                )
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def card_reference(self, card: Notification) -> dict[str, Any] | None:
        """The stored reference of a posted card's conversation; for a 1:1 chat the bot opened
        itself (never stored), one built from any conversation of the client's tenant."""
        async with self._db.session() as session:
            stored = await session.get(ConversationRef, card.conversation_id)
            if stored is not None:
                return dict(stored.reference)
            client = await session.get(Client, card.client_id)
            tenant = client.tenant_id if client is not None else None
            other = await session.scalar(
                select(ConversationRef)
                .where(ConversationRef.tenant_id == tenant)
                .order_by(ConversationRef.updated_at.desc())
                .limit(1)
            )
        if other is None:
            return None
        reference = dict(other.reference)
        reference.pop("user", None)
        reference["conversation"] = {"id": card.conversation_id, "tenantId": tenant}
        return reference
