"""The `notify.teams` job: post the incident card to one recipient's chat or channel.

Idempotent (a sent notification is skipped). Transient Teams failures retry
honouring Retry-After; a blocked or uninstalled bot marks the route inactive and
falls back to e-mail, so an undeliverable Teams message never blocks an incident.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.claims import conversation_card
from bot.convert import base_conversation_id
from bot.proactive import RouteInactive, TeamsMessenger, TeamsPermanent, TeamsTransient
from services import texts
from services.claims.booking import BOOKING_DECLINED, BOOKING_FAILED
from services.domain.incident_view import IncidentView
from services.errors import RENDER_ERRORS
from services.jobs import JobInfo, PermanentFailure, RetryLater
from services.notify.card_facts import CardFacts
from services.notify.service import base_event
from services.notify.teams_routes import TeamsRoutes

log = logging.getLogger(__name__)

# What a card posted for a follow-up event says above the incident.
POST_NOTICES = {"reminder": texts.REMINDER_NOTICE, "escalated": texts.ESCALATED_NOTICE}
EmailFallback = Callable[[int], Awaitable[object]]


def event_notice(event: str, view: IncidentView) -> str | None:
    """The line a Teams notice leads with: a room booking outcome (DESIGN 3.11), a reminder or an
    escalation (DESIGN 3.12); None for the other events."""
    what = base_event(event)
    if what == BOOKING_DECLINED:
        return texts.BOOKING_DECLINED_LEAD.format(room=view.room_name)
    if what == BOOKING_FAILED:
        return texts.BOOKING_FAILED_LEAD
    return POST_NOTICES.get(what)


class TeamsNotifier:
    def __init__(
        self,
        routes: TeamsRoutes,
        facts: CardFacts,
        messenger: TeamsMessenger,
        fallback: EmailFallback | None = None,
    ) -> None:
        self._routes = routes
        self._facts = facts
        self._messenger = messenger
        self._fallback = fallback

    def set_fallback(self, fallback: EmailFallback) -> None:
        self._fallback = fallback

    async def handle(self, job: JobInfo) -> None:
        notification_id = int(job.payload["notification_id"])
        notification = await self._routes.notification(notification_id)
        if notification is None:
            raise PermanentFailure("notification vanished")
        if notification.status in ("sent", "inactive"):
            return
        view = await self._facts.view(notification.client_id, notification.incident_id)
        if view is None:
            raise PermanentFailure("incident vanished")
        target = await self._routes.target_for(notification)
        if target is None:
            await self._inactive(notification_id, "no Teams conversation with this recipient")
            return
        try:
            reference = target.reference
            if reference is None:
                assert target.service_url and target.member_id
                reference = await self._messenger.open_personal_chat(
                    service_url=target.service_url, tenant_id=target.tenant_id, member_id=target.member_id
                )
            try:
                card = await conversation_card(
                    self._facts,
                    view,
                    reference,
                    notification.recipient_user_id,
                    notice=event_notice(notification.event, view),
                )
            except RENDER_ERRORS as exc:  # a card that cannot be built now never can: fail it at once
                kind = type(exc).__name__
                log.error("teams card not renderable notification=%s error=%s", notification_id, kind)
                await self._routes.mark(notification_id, "failed", reason=f"cannot write card: {kind}")
                return
            activity_id = await self._messenger.post_card(reference, card)
        except RouteInactive:
            conversation = (target.reference or {}).get("conversation", {}).get("id")
            if conversation:
                await self._routes.deactivate_conversation(base_conversation_id(conversation))
            await self._inactive(notification_id, "the bot was blocked or removed there")
            return
        except TeamsTransient as exc:
            delay = exc.retry_after if exc.retry_after is not None else min(300.0, 2.0**job.attempts)
            raise RetryLater(delay, "teams_transient") from None
        except TeamsPermanent as exc:
            await self._routes.mark(notification_id, "failed", reason=str(exc))
            return
        await self._routes.mark(
            notification_id,
            "sent",
            conversation_id=reference["conversation"]["id"],
            activity_id=activity_id,
        )
        log.info("teams card posted notification=%s incident=%s", notification_id, notification.incident_id)

    async def _inactive(self, notification_id: int, reason: str) -> None:
        await self._routes.mark(notification_id, "inactive", reason=reason)
        if self._fallback is not None:
            await self._fallback(notification_id)
