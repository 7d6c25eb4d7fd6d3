"""Who hears of the lifecycle events of an incident (DESIGN 3.10, 3.12).

Plugged into NotificationService's fan-out; the e-mail is the incident e-mail
written for the event (services.notify.email_content), one per recipient, per
their preferences (channels, and the `new_incident` switch these events follow).

- `reminder`: the provider side of the new-incident notice (dispatch address,
  service-provider and subcontractor users), with claim links; Teams posts a new
  card that says it is a reminder.
- `escalated`: the client admins and the client's notify address.
- `resolved`: by e-mail, everyone who was e-mailed about the incident (per their
  preferences now) and the claimer of a claim the resolve ended (always); in
  Teams, one notice per posted card's recipient: the card's in-place update.
- `sla_breached`: the posted cards only (their in-place update).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.service import ClaimRecord
from services.domain import recipients as rcpt
from services.domain.claim_ics import FILENAME, visit_ics
from services.domain.incident_view import IncidentView
from services.notify.claim_notices import INVITED_ROLES, ClaimNotices
from services.notify.email_content import EmailRenderer, MailTo
from services.notify.service import EventMail, NotificationService, base_event
from services.store.claim_models import Claim
from services.store.database import Database
from services.store.models import Incident, User
from services.store.notification_models import Notification

CLIENT_ESCALATION_ROLES = frozenset({"client_admin", "client"})
LIFECYCLE_EVENTS = ("reminder", "escalated", "resolved", "sla_breached")


class LifecycleNotices:
    def __init__(self, db: Database, *, renderer: EmailRenderer | None = None) -> None:
        self._db = db
        self._renderer = renderer or EmailRenderer()

    def register(self, notifications: NotificationService) -> None:
        for event in LIFECYCLE_EVENTS:
            render = self.render_resolved if event == "resolved" else None
            notifications.extend(event, EventMail(adjust=self.recipients, render=render))

    async def render_resolved(
        self, row: Notification, view: IncidentView, to: MailTo, sender: str, message_id: str
    ) -> EmailMessage | None:
        """The incident e-mail for `resolved`; whoever had the visit's invite (the claimer, the
        client side, the dispatch address) also gets its cancellation (same UID, METHOD:CANCEL)."""
        message = self._renderer.incident_email(
            view, event="resolved", to=to, sender=sender, message_id=message_id
        )
        async with self._db.session() as session:
            ended = await session.scalar(
                select(Claim).where(
                    Claim.client_id == row.client_id,
                    Claim.incident_id == row.incident_id,
                    Claim.end_reason == "resolved",
                )
            )
        if ended is None:
            return message
        claim = ClaimRecord.of(ended)
        if claim.claimer_email == to.address or to.role in INVITED_ROLES:
            message.add_attachment(
                visit_ics(ClaimNotices.visit(claim, view), cancelled=True, now=datetime.now(UTC)),
                maintype="text",
                subtype="calendar",
                filename=FILENAME,
                params={"method": "CANCEL"},
            )
        return message

    async def recipients(
        self, session: AsyncSession, incident: Incident, event: str, people: list[rcpt.Recipient]
    ) -> list[rcpt.Recipient]:
        kind = base_event(event)
        if kind == "escalated":
            return [p for p in people if p.role in CLIENT_ESCALATION_ROLES]
        told = await self._told(session, incident)
        cards = await self._cards(session, incident)
        if kind == "reminder":
            return [p for p in people if p.role in rcpt.CLAIMING_ROLES and (p.channel, p.recipient) in told]
        if kind == "sla_breached":
            return list(cards.values())
        # resolved: e-mail to who was told by e-mail (per preferences now), and every posted card
        chosen = [p for p in people if p.channel == rcpt.EMAIL and (p.channel, p.recipient) in told]
        chosen += list(cards.values())
        claimer = await self._claimer(session, incident)
        if claimer is not None and not any(
            p.channel == rcpt.EMAIL and p.recipient == claimer.recipient for p in chosen
        ):
            chosen.insert(0, claimer)
        return chosen

    @staticmethod
    async def _told(session: AsyncSession, incident: Incident) -> set[tuple[str, str]]:
        """(channel, recipient) of everyone who was sent anything about the incident."""
        rows = await session.execute(
            select(Notification.channel, Notification.recipient).where(
                Notification.client_id == incident.client_id,
                Notification.incident_id == incident.id,
                Notification.event.not_in(LIFECYCLE_EVENTS),
            )
        )
        return {(channel, recipient) for channel, recipient in rows.all()}

    @staticmethod
    async def _cards(session: AsyncSession, incident: Incident) -> dict[str, rcpt.Recipient]:
        """One Teams notice per recipient with a card posted for the incident: its in-place update
        (a card already in someone's chat is updated whatever their preferences are now)."""
        rows = await session.execute(
            select(Notification.recipient, Notification.recipient_user_id, Notification.recipient_role)
            .where(
                Notification.client_id == incident.client_id,
                Notification.incident_id == incident.id,
                Notification.channel == rcpt.TEAMS,
                Notification.activity_id.is_not(None),
            )
            .order_by(Notification.id)
        )
        cards: dict[str, rcpt.Recipient] = {}
        for recipient, user_id, role in rows.all():
            cards.setdefault(recipient, rcpt.Recipient(rcpt.TEAMS, recipient, user_id, role, ""))
        return cards

    @staticmethod
    async def _claimer(session: AsyncSession, incident: Incident) -> rcpt.Recipient | None:
        claim = await session.scalar(
            select(Claim).where(
                Claim.client_id == incident.client_id,
                Claim.incident_id == incident.id,
                Claim.end_reason == "resolved",
            )
        )
        if claim is None or not claim.claimer_email:
            return None
        role = "provider"
        if claim.user_id is not None:
            user = await session.get(User, (claim.client_id, claim.user_id))
            role = user.role if user is not None else "service_provider"
        return rcpt.Recipient(
            rcpt.EMAIL, claim.claimer_email.strip().lower(), claim.user_id, role, claim.claimer_name
        )
