"""The e-mail side of claims: who hears of a claim or a release, and what they read.

Plugged into NotificationService's fan-out (events `slot_claimed` and
`slot_released`, tagged with the claim id). Recipients are the usual ones
(client users and the provider's people by their preferences, the client's
notify address, the provider's dispatch address) plus, always, the claimer.
Teams routes are dropped: every card already posted is updated in place
instead, which is the Teams notice. The claimer, the client side and the
dispatch address get the visit as an `.ics` invite (a cancellation when it is
released); the claimer and client admins get a link to release the slot.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services import texts
from services.claims import booking as bk
from services.claims.release_links import ReleaseSigner, make_release_url
from services.claims.service import CLAIMED, RELEASED, ClaimRecord, claim_id_of, slot_when
from services.config import Settings
from services.domain import recipients as rcpt
from services.domain.claim_ics import FILENAME, Visit, summary_for, visit_ics
from services.domain.incident_view import IncidentView
from services.jobs import RetryLater
from services.notify.email_content import (
    PERSONAL_ROLES,
    ROLE_REASONS,
    TEMPLATES_DIR,
    MailTo,
    assemble,
    template_environment,
)
from services.notify.service import EventMail, NotificationService, base_event
from services.store.claim_models import Booking, Claim
from services.store.database import Database
from services.store.models import Incident, User
from services.store.notification_models import Notification

INVITED_ROLES = frozenset({"client_admin", "client_user", "client", "provider"})
# How long a confirmation waits for the room's answer, so that it can say whether the room is
# booked (Exchange answers within seconds; a slower answer is reported as still in progress).
BOOKING_WAIT = timedelta(seconds=90)
BOOKING_POLL_SECONDS = 3.0


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def _plain(value: str) -> str:
    return re.sub(r"`([^`]+)`", r"“\1”", str(value)).replace("**", "")


class ClaimNotices:
    def __init__(self, db: Database, settings: Settings, *, templates_dir: Path = TEMPLATES_DIR) -> None:
        self._db = db
        self._settings = settings
        self._signer = ReleaseSigner.from_settings(settings) if settings.secret_keys() else None
        self._env = template_environment(templates_dir)

    def register(self, notifications: NotificationService) -> None:
        mail = EventMail(adjust=self.recipients, render=self.render)
        notifications.extend(CLAIMED, mail)
        notifications.extend(RELEASED, mail)
        # The claimer of a visit the room declined: the incident e-mail, with the current slots.
        notifications.extend(bk.BOOKING_DECLINED, EventMail(adjust=self.claimer_only, render=None))
        notifications.extend(bk.BOOKING_FAILED, EventMail(adjust=self.admins_only, render=self.render))

    async def claimer_only(
        self, session: AsyncSession, incident: Incident, event: str, people: list[rcpt.Recipient]
    ) -> list[rcpt.Recipient]:
        """The claimer, by e-mail always and in Teams when they use it (they clicked there, or
        their preferences send them cards)."""
        claim = await session.get(Claim, claim_id_of(event) or "")
        if claim is None:
            return []
        chosen = [p for p in await self.recipients(session, incident, event, []) if p.channel == rcpt.EMAIL]
        if claim.user_id is not None:
            teams = [p for p in people if p.channel == rcpt.TEAMS and p.recipient_user_id == claim.user_id]
            if not teams and claim.via == "teams":
                user = await session.get(User, (claim.client_id, claim.user_id))
                if user is not None:
                    teams = [
                        rcpt.Recipient(
                            rcpt.TEAMS,
                            rcpt.teams_user_key(claim.client_id, user.id),
                            user.id,
                            user.role,
                            user.name,
                        )
                    ]
            chosen += teams
        return chosen

    @staticmethod
    async def admins_only(
        session: AsyncSession, incident: Incident, event: str, people: list[rcpt.Recipient]
    ) -> list[rcpt.Recipient]:
        return [p for p in people if p.role == "client_admin"]

    async def recipients(
        self, session: AsyncSession, incident: Incident, event: str, people: list[rcpt.Recipient]
    ) -> list[rcpt.Recipient]:
        """E-mail only, and the claimer always (they asked for it)."""
        chosen = [p for p in people if p.channel == rcpt.EMAIL]
        claim = await session.get(Claim, claim_id_of(event) or "")
        if claim is None or not claim.claimer_email:
            return chosen
        address = claim.claimer_email.strip().lower()
        if any(p.recipient == address for p in chosen):
            return chosen
        role = "provider"
        if claim.user_id is not None:
            user = await session.get(User, (claim.client_id, claim.user_id))
            role = user.role if user is not None else "service_provider"
        return [rcpt.Recipient(rcpt.EMAIL, address, claim.user_id, role, claim.claimer_name), *chosen]

    async def render(
        self, row: Notification, view: IncidentView, to: MailTo, sender: str, message_id: str
    ) -> EmailMessage | None:
        async with self._db.session() as session:
            found = await session.get(Claim, claim_id_of(row.event) or "")
            booking = await session.get(Booking, claim_id_of(row.event) or "")
        if found is None:
            return None
        event = base_event(row.event)
        claim = ClaimRecord.of(found)
        if (
            event == CLAIMED
            and booking is not None
            and booking.status == bk.PENDING
            and datetime.now(UTC) - claim.claimed_at < BOOKING_WAIT
        ):
            raise RetryLater(BOOKING_POLL_SECONDS, "waiting for the room's answer")
        return self.message(
            claim,
            view,
            event=event,
            to=to,
            sender=sender,
            message_id=message_id,
            booking=booking.status if booking is not None else None,
        )

    def message(
        self,
        claim: ClaimRecord,
        view: IncidentView,
        *,
        event: str,
        to: MailTo,
        sender: str,
        message_id: str,
        now: datetime | None = None,
        booking: str | None = None,
    ) -> EmailMessage:
        """One confirmation (or release notice), with the `.ics` when the recipient is invited;
        `booking` is the room booking's status (None: the location does not book rooms)."""
        moment = now or datetime.now(UTC)
        context = self.context(claim, view, event=event, to=to, now=moment, booking=booking)
        text = self._env.get_template("claim.txt").render(**context)
        html = self._env.get_template("claim.html").render(**context)
        message = assemble(
            subject=context["subject"],
            sender=sender,
            to=to,
            message_id=message_id,
            text=text,
            html=html,
            event=event,
        )
        if context["invite"]:
            released = event == RELEASED
            message.add_attachment(
                visit_ics(self.visit(claim, view, booking=booking), cancelled=released, now=moment),
                maintype="text",
                subtype="calendar",
                filename=FILENAME,
                params={"method": "CANCEL" if released else "PUBLISH"},
            )
        return message

    def context(
        self,
        claim: ClaimRecord,
        view: IncidentView,
        *,
        event: str,
        to: MailTo,
        now: datetime,
        booking: str | None = None,
    ) -> dict[str, Any]:
        when = slot_when(claim.slot_start, claim.slot_end, view.zone)
        you_claimed = bool(claim.claimer_email and claim.claimer_email == to.address)
        facts: list[tuple[str, str]] = [
            (texts.CLAIM_FACT_WHEN, when),
            (texts.CLAIM_FACT_BY, claim.who),
        ]
        if event == RELEASED and claim.released_by_name:
            facts.append((texts.CLAIM_FACT_RELEASED_BY, claim.released_by_name))
        facts += [(texts.CLAIM_FACT_REFERENCE, view.incident_id), (texts.CLAIM_FACT_ROOM, view.room_name)]
        if view.site_name:
            facts.append((texts.CLAIM_FACT_SITE, view.site_name))
        if booking is not None and event != RELEASED:
            facts.append((texts.BOOKING_FACT, texts.BOOKING_LINES.get(booking, booking)))
        release_url = None
        may_release = you_claimed or to.role == "client_admin"
        if event == CLAIMED and may_release and self._signer is not None and claim.slot_start > now:
            release_url = make_release_url(
                self._settings,
                client_id=claim.client_id,
                incident_id=claim.incident_id,
                claim_id=claim.id,
                email=to.address,
                slot_start=claim.slot_start,
                signer=self._signer,
            )
        subject_text = {
            RELEASED: texts.RELEASE_EMAIL_SUBJECT,
            bk.BOOKING_FAILED: texts.BOOKING_FAILED_SUBJECT,
        }.get(event, texts.CLAIM_EMAIL_SUBJECT)
        subject = subject_text.format(
            title=_one_line(view.title), room=_one_line(view.room_name), when=when, incident=view.incident_id
        )
        reason = ROLE_REASONS.get(to.role, "you are on {client}'s notification list in pivot")
        return {
            "event": event,
            "subject": subject,
            "title": _one_line(view.title),
            "facts": [(label, _one_line(value)) for label, value in facts],
            "you_claimed": you_claimed and event == CLAIMED,
            "invite": event != bk.BOOKING_FAILED and (you_claimed or to.role in INVITED_ROLES),
            "lead": texts.BOOKING_FAILED_LEAD,
            "release_url": release_url,
            "reason": _plain(reason.format(client=_one_line(to.client_name))),
            "personal": to.role in PERSONAL_ROLES,
            "product": texts.PRODUCT_NAME,
        }

    @staticmethod
    def visit(claim: ClaimRecord, view: IncidentView, *, booking: str | None = None) -> Visit:
        where = ", ".join(part for part in (view.room_name, view.site_name) if part)
        booked = f" {texts.BOOKING_FACT}: {texts.BOOKING_LINES.get(booking, booking)}." if booking else ""
        return Visit(
            claim_id=claim.id,
            start=claim.slot_start,
            end=claim.slot_end,
            zone=view.zone,
            summary=summary_for(_one_line(view.title), _one_line(view.room_name)),
            location=where,
            description=(
                f"{view.incident_id}: {_one_line(view.title)}. {texts.CLAIM_FACT_BY}: {claim.who}.{booked}"
            ),
        )
