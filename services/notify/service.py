"""Incident notifications: fan-out to recipients, then one durable job per message.

`incident.notify` works out who hears about an event (services.recipients),
inserts one `notifications` row per channel and recipient — the unique index
makes a re-run insert nothing — and queues one `notify.email` / `notify.teams`
job per row, all in one transaction. `notify.email` renders and sends one
message and is idempotent: a row already `sent` is never sent again, a
transient SMTP failure is retried with backoff, a permanent one is recorded.
The Teams side (cards, proactive posts) handles `notify.teams` and calls
`fall_back_to_email` when a Teams route is gone, so e-mail still goes out.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import jinja2
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.claim_links import ClaimSigner, make_claim_url
from services.claims.effects import ClaimEffects
from services.config import Settings
from services.crypto import SecretBox
from services.domain import recipients as rcpt
from services.domain.incident_view import IncidentView
from services.errors import RENDER_ERRORS
from services.incidents import escalation
from services.incidents.events import NOTIFY_JOB, notify_job_key
from services.incidents.service import RESOLVED
from services.incidents.view_builder import load_incident_view
from services.jobs import (
    Handler,
    JobInfo,
    PermanentFailure,
    RetryLater,
    job_insert_statement,
    job_row,
)
from services.metrics import Metrics, finished_notification_columns, record_notification
from services.notify.email_content import INCIDENT_EVENTS, EmailRenderer, MailTo
from services.notify.mailer import Mailer, MailPermanent, MailTransient, message_id_for
from services.store.database import Database
from services.store.models import Client, Incident, Job, LocationSettings, Room, ServiceProvider, User
from services.store.notification_models import Notification, UserPreferences

log = logging.getLogger(__name__)
_RENDER_ERRORS = (*RENDER_ERRORS, jinja2.TemplateError)

EMAIL_JOB = "notify.email"
TEAMS_JOB = "notify.teams"
JOB_MAX_ATTEMPTS = 12
NOTIFIED_FROM = ("slots_found", "no_slots")
# Events whose e-mail offers claim links to the provider side.
CLAIM_LINK_EVENTS = ("new_incident", "slots_update", "reminder")
_UNIQUE = ("client_id", "incident_id", "event", "channel", "recipient")
# How the API shows row statuses (DESIGN 3.3 lists queued | sent | failed).
_API_STATUS = {"queued": "queued", "sent": "sent", "failed": "failed", "inactive": "failed"}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def base_event(event: str) -> str:
    """`slot_claimed#<claim id>` → `slot_claimed`: an event may be tagged with what it is about."""
    return event.split("#", 1)[0]


EventRender = Callable[[Notification, IncidentView, MailTo, str, str], Awaitable[EmailMessage | None]]


@dataclass(frozen=True)
class EventMail:
    """How an event other than the incident notice picks recipients and writes its e-mail
    (claims plug in here): `adjust` edits the recipient list inside the fan-out transaction;
    `render` writes one message, or None when it cannot (the row is marked failed)."""

    adjust: Callable[[AsyncSession, Incident, str, list[rcpt.Recipient]], Awaitable[list[rcpt.Recipient]]]
    # None: the incident e-mail (services.notify.email_content) written for this event.
    render: EventRender | None = None


class NotificationService:
    """Fan-out and e-mail delivery for incident events."""

    def __init__(
        self,
        db: Database,
        box: SecretBox,
        settings: Settings,
        mailer: Mailer | None,
        *,
        renderer: EmailRenderer | None = None,
        retry_base_seconds: float = 60.0,
        retry_cap_seconds: float = 3600.0,
        clock: Callable[[], datetime] = _utcnow,
        metrics: Metrics | None = None,
    ) -> None:
        self._db = db
        self._metrics = metrics or Metrics()
        self._box = box  # unused so far: e-mail keeps no secrets at rest
        self._settings = settings
        self._mailer = mailer
        self._renderer = renderer or EmailRenderer()
        self._signer = ClaimSigner.from_settings(settings) if settings.secret_keys() else None
        self._retry_base = retry_base_seconds
        self._retry_cap = retry_cap_seconds
        self._clock = clock
        self._event_mail: dict[str, EventMail] = {}
        self._cards = ClaimEffects(db)

    def extend(self, event: str, mail: EventMail) -> None:
        """Handle `event` (and its tagged forms `event#...`) with `mail`."""
        if event not in rcpt.EVENTS:
            raise ValueError(f"unknown notification event {event!r}")
        self._event_mail[event] = mail

    def job_handlers(self) -> dict[str, Handler]:
        return {NOTIFY_JOB: self._handle_notify, EMAIL_JOB: self._handle_email}

    async def _handle_notify(self, job: JobInfo) -> None:
        payload = job.payload
        await self.fan_out(
            payload["client_id"], payload["incident_id"], payload["event"], attempt=job.attempts
        )

    async def _handle_email(self, job: JobInfo) -> None:
        await self.deliver_email(
            int(job.payload["notification_id"]), attempt=job.attempts, max_attempts=job.max_attempts
        )

    # ---- fan-out ------------------------------------------------------------------------

    async def fan_out(self, client_id: str, incident_id: str, event: str, *, attempt: int = 1) -> list[int]:
        """Insert the event's notification rows and their jobs (idempotent); returns the row ids."""
        if base_event(event) not in rcpt.EVENTS:
            raise PermanentFailure(f"unknown notification event {event!r}")
        if event == "slots_update" and await self._new_incident_pending(client_id, incident_id):
            # Let the first notice go out first: rendered now, it already carries the slots.
            raise RetryLater(
                min(300.0, 5.0 * 2 ** max(0, attempt - 1)), "waiting for the new_incident fan-out"
            )
        async with self._db.session() as session:
            incident = await session.get(Incident, (client_id, incident_id), with_for_update=True)
            if incident is None:
                raise PermanentFailure("incident vanished")
            if event in ("new_incident", "slots_update") and incident.status == RESOLVED:
                log.info("notice skipped, incident resolved client=%s incident=%s", client_id, incident_id)
                return []
            if event == "new_incident" and incident.notified_at is None:
                # The first notice: reminders and escalation count from now (DESIGN 3.12).
                incident.notified_at = self._clock()
                await escalation.arm(
                    session, self._db, incident, since=incident.notified_at, arm_id=escalation.FIRST_ARM
                )
            people = await self._recipients(session, incident, base_event(event))
            if (extension := self._event_mail.get(base_event(event))) is not None:
                people = await extension.adjust(session, incident, event, people)
            if event == "slots_update":
                # Whoever still has the first notice queued gets the slots in it.
                queued_first = await session.execute(
                    select(Notification.channel, Notification.recipient).where(
                        Notification.client_id == client_id,
                        Notification.incident_id == incident_id,
                        Notification.event == "new_incident",
                        Notification.status == "queued",
                    )
                )
                waiting = {(channel, recipient) for channel, recipient in queued_first.all()}
                people = [p for p in people if (p.channel, p.recipient) not in waiting]
            if people:
                await session.execute(self._insert_rows(client_id, incident_id, event, people))
            rows = (
                await session.execute(
                    select(Notification.id, Notification.channel)
                    .where(
                        Notification.client_id == client_id,
                        Notification.incident_id == incident_id,
                        Notification.event == event,
                        Notification.status == "queued",
                    )
                    .order_by(Notification.id)
                )
            ).all()
            card_event = base_event(event) in rcpt.CARD_EVENTS
            # Cards of a card event are delivered by updating the posted cards (below).
            deliveries = [(i, c) for i, c in rows if not (card_event and c == rcpt.TEAMS)]
            await self._queue_deliveries(session, deliveries)
            if card_event:
                await self._cards.queue_card_sweeps(session, client_id, incident_id, event)
            await session.execute(
                update(Incident)
                .where(
                    Incident.client_id == client_id,
                    Incident.id == incident_id,
                    Incident.status.in_(NOTIFIED_FROM),
                )
                .values(status="notified", updated_at=func.now())
            )
        log.info(
            "notifications queued client=%s incident=%s event=%s count=%d",
            client_id,
            incident_id,
            event,
            len(rows),
        )
        return [row_id for row_id, _ in rows]

    async def _new_incident_pending(self, client_id: str, incident_id: str) -> bool:
        async with self._db.engine.connect() as conn:
            status = await conn.scalar(
                select(Job.status).where(
                    Job.dedupe_key == notify_job_key("new_incident", client_id, incident_id)
                )
            )
        return status in {"queued", "running"}

    async def _recipients(
        self, session: AsyncSession, incident: Incident, event: str
    ) -> list[rcpt.Recipient]:
        client_id = incident.client_id
        client = await session.get(Client, client_id)
        room = await session.get(Room, (client_id, incident.room_id))
        if client is None or room is None:
            raise PermanentFailure("client or room vanished")
        loc_settings = await session.get(LocationSettings, (client_id, room.location_id))
        users = (
            await session.scalars(select(User).where(User.client_id == client_id).order_by(User.id))
        ).all()
        providers = (
            await session.scalars(
                select(ServiceProvider)
                .where(ServiceProvider.client_id == client_id)
                .order_by(ServiceProvider.id)
            )
        ).all()
        stored = (
            await session.scalars(select(UserPreferences).where(UserPreferences.client_id == client_id))
        ).all()
        return rcpt.recipients(
            client=rcpt.ClientContact(client.id, client.name, client.notify_email),
            location_id=room.location_id,
            event=event,
            users=[
                rcpt.Person(u.id, u.name, u.email, u.role, u.service_provider_id, dict(u.notify or {}))
                for u in users
            ],
            providers=[rcpt.Provider(p.id, p.name, p.email, tuple(p.location_ids or ())) for p in providers],
            assigned_provider_id=loc_settings.service_provider_id if loc_settings else None,
            preferences={p.user_id: rcpt.Preferences(p.email, p.teams, dict(p.events or {})) for p in stored},
            teams_channel=loc_settings.teams_channel if loc_settings else None,
        )

    def _insert_rows(self, client_id: str, incident_id: str, event: str, people: list[rcpt.Recipient]) -> Any:
        insert = self._db.insert
        return (
            insert(Notification)
            .values(
                [
                    {
                        "client_id": client_id,
                        "incident_id": incident_id,
                        "event": event,
                        "channel": p.channel,
                        "recipient": p.recipient,
                        "recipient_user_id": p.recipient_user_id,
                        "recipient_role": p.role,
                        "status": "queued",
                    }
                    for p in people
                ]
            )
            .on_conflict_do_nothing(index_elements=list(_UNIQUE))
        )

    async def _queue_deliveries(self, session: AsyncSession, rows: list[tuple[int, str]]) -> None:
        """One delivery job per (notification, channel), in one statement (the fan-out's hot path)."""
        if not rows:
            return
        now = _utcnow()
        values = []
        for notification_id, channel in rows:
            kind = EMAIL_JOB if channel == rcpt.EMAIL else TEAMS_JOB
            payload = {"notification_id": notification_id}
            dedupe_key = f"{kind}:{notification_id}"
            values.append(
                job_row(kind, payload, dedupe_key=dedupe_key, max_attempts=JOB_MAX_ATTEMPTS, run_at=now)
            )
        await session.execute(job_insert_statement(self._db, dedupe=True), values)
        await self._db.mark_jobs_enqueued(session)

    # ---- e-mail delivery ----------------------------------------------------------------

    async def deliver_email(
        self, notification_id: int, *, attempt: int = 1, max_attempts: int = JOB_MAX_ATTEMPTS
    ) -> str:
        """Send one queued e-mail row; returns the row's status.

        Raises `RetryLater` on a transient failure (until the last attempt, which records `failed`).
        """
        async with self._db.session() as session:
            # The row, its client's name and its user's name in one statement (the hot path).
            found = (
                await session.execute(
                    select(Notification, Client.name, User.name)
                    .outerjoin(Client, Client.id == Notification.client_id)
                    .outerjoin(
                        User,
                        (User.client_id == Notification.client_id)
                        & (User.id == Notification.recipient_user_id),
                    )
                    .where(Notification.id == notification_id)
                )
            ).first()
            row = found[0] if found is not None else None
            if found is None or row is None or row.channel != rcpt.EMAIL:
                raise PermanentFailure("no such e-mail notification")
            if row.status != "queued":
                return row.status  # sent already (or given up): never a second copy
            client_name: str | None = found[1]
            name = await self._display_name(session, row, client_name, found[2])
        if self._mailer is None:
            return await self._finish(notification_id, "failed", reason="e-mail is not configured (SMTP_URL)")
        extension = self._event_mail.get(base_event(row.event))
        if base_event(row.event) not in INCIDENT_EVENTS and (extension is None or extension.render is None):
            return await self._finish(notification_id, "failed", reason=f"no e-mail for event {row.event}")
        view = await load_incident_view(self._db, row.client_id, row.incident_id)
        if view is None:
            return await self._finish(notification_id, "failed", reason="incident no longer exists")
        message_id = message_id_for(row.client_id, row.incident_id, row.event, row.channel, row.recipient)
        to = MailTo(
            row.recipient, name, row.recipient_role, client_name if client_name is not None else row.client_id
        )
        if extension is not None and extension.render is not None:
            try:
                written = await extension.render(row, view, to, self._mailer.sender, message_id)
            except _RENDER_ERRORS as exc:  # rendering is deterministic: retrying cannot help
                return await self._render_failed(notification_id, row.event, exc)
            if written is None:
                return await self._finish(notification_id, "failed", reason=f"cannot write {row.event}")
            return await self._send(
                notification_id, written, row.recipient, message_id, attempt, max_attempts
            )
        claim_urls: dict[str, str] = {}
        offers = base_event(row.event) in CLAIM_LINK_EVENTS
        if offers and row.recipient_role in rcpt.CLAIMING_ROLES and self._signer is not None:
            claim_urls = {
                slot.id: make_claim_url(
                    self._settings,
                    client_id=row.client_id,
                    incident_id=row.incident_id,
                    slot_id=slot.id,
                    email=row.recipient,
                    slot_start=slot.start,
                    signer=self._signer,
                )
                for slot in view.slots
            }
        try:
            message = self._renderer.incident_email(
                view,
                event=base_event(row.event),
                to=to,
                sender=self._mailer.sender,
                message_id=message_id,
                claim_urls=claim_urls,
                now=self._clock(),
            )
        except _RENDER_ERRORS as exc:  # rendering is deterministic: retrying cannot help
            return await self._render_failed(notification_id, row.event, exc)
        return await self._send(notification_id, message, row.recipient, message_id, attempt, max_attempts)

    async def _render_failed(self, notification_id: int, event: str, exc: Exception) -> str:
        """A message that cannot be written now never can: the row is `failed` with the reason, at once."""
        log.error("e-mail not renderable notification=%s error=%s", notification_id, type(exc).__name__)
        reason = f"cannot write {event}: {type(exc).__name__}"
        return await self._finish(notification_id, "failed", reason=reason)

    async def _send(
        self,
        notification_id: int,
        message: EmailMessage,
        address: str,
        message_id: str,
        attempt: int,
        max_attempts: int,
    ) -> str:
        assert self._mailer is not None
        try:
            await self._mailer.send(message, recipients=[address])
        except MailPermanent as exc:
            log.warning("e-mail rejected notification=%s code=%s", notification_id, exc.code)
            return await self._finish(notification_id, "failed", reason=str(exc))
        except MailTransient as exc:
            if attempt >= max_attempts:
                return await self._finish(
                    notification_id, "failed", reason=f"gave up after {attempt} attempts: {exc}"
                )
            await self._note(notification_id, f"retrying: {exc}")
            delay = self.backoff(attempt)
            log.info("e-mail deferred notification=%s retry_in=%.0fs", notification_id, delay)
            raise RetryLater(delay, f"smtp: {exc}"[:200]) from None
        return await self._finish(notification_id, "sent", message_id=message_id)

    def backoff(self, attempt: int) -> float:
        ceiling = min(self._retry_cap, self._retry_base * (2 ** max(0, attempt - 1)))
        return ceiling * random.uniform(0.5, 1.0)

    @staticmethod
    async def _display_name(
        session: AsyncSession, row: Notification, client_name: str | None, user_name: str | None
    ) -> str:
        if row.recipient_user_id is not None and user_name is not None:
            return user_name
        if row.recipient_role == "client" and client_name is not None:
            return client_name
        if row.recipient_role == "provider":
            providers = await session.execute(
                select(ServiceProvider.name, ServiceProvider.email).where(
                    ServiceProvider.client_id == row.client_id
                )
            )
            for provider_name, provider_email in providers.all():
                if provider_email.strip().lower() == row.recipient:
                    return provider_name
        return ""

    async def _finish(
        self, notification_id: int, status: str, *, reason: str | None = None, message_id: str | None = None
    ) -> str:
        async with self._db.session() as session:
            changed = await session.execute(
                update(Notification)
                .where(Notification.id == notification_id, Notification.status == "queued")
                .values(
                    status=status,
                    reason=reason[:500] if reason else None,
                    message_id=message_id,
                    updated_at=func.now(),
                )
                .returning(*finished_notification_columns())
            )
            row = changed.first()
            if row is not None:
                await record_notification(
                    session, self._metrics, rcpt.EMAIL, status, *row[:3], accepted_at=row[3]
                )
        if row is not None and status == "sent":
            log.info(
                "e-mail sent client=%s incident=%s notification=%s event=%s",
                row.client_id,
                row.incident_id,
                notification_id,
                row.event,
            )
        return status

    async def _note(self, notification_id: int, reason: str) -> None:
        async with self._db.session() as session:
            await session.execute(
                update(Notification)
                .where(Notification.id == notification_id, Notification.status == "queued")
                .values(reason=reason[:500], updated_at=func.now())
            )

    # ---- read model and Teams fallback ---------------------------------------------------

    async def notifications_for(self, client_id: str, incident_id: str) -> list[dict[str, Any]]:
        """`[{"channel", "to", "status", "event"}]` for the incident API (DESIGN 3.3), oldest first."""
        async with self._db.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(
                        Notification.channel,
                        Notification.recipient,
                        Notification.recipient_user_id,
                        Notification.status,
                        Notification.event,
                    )
                    .where(Notification.client_id == client_id, Notification.incident_id == incident_id)
                    .order_by(Notification.id)
                )
            ).all()
        return [
            {
                "channel": r.channel,
                "to": r.recipient if r.channel == rcpt.EMAIL else (r.recipient_user_id or r.recipient),
                "status": _API_STATUS.get(r.status, r.status),
                "event": base_event(r.event),
            }
            for r in rows
        ]

    async def fall_back_to_email(
        self, notification_id: int, *, reason: str = "teams route inactive"
    ) -> int | None:
        """A Teams notice could not be delivered: mark it inactive and e-mail the user instead,
        unless they already get this event by e-mail. Returns the e-mail row's id (None: no address)."""
        async with self._db.session() as session:
            row = await session.get(Notification, notification_id)
            if row is None or row.channel != rcpt.TEAMS:
                return None
            if row.status == "queued":
                row.status = "inactive"
                row.reason = reason[:500]
                row.updated_at = func.now()
            if row.recipient_user_id is None:
                return None
            user = await session.get(User, (row.client_id, row.recipient_user_id))
            address = user.email.strip().lower() if user is not None and user.email else ""
            if not address:
                return None
            fallback = rcpt.Recipient(rcpt.EMAIL, address, user.id, user.role, user.name)  # type: ignore[union-attr]
            await session.execute(self._insert_rows(row.client_id, row.incident_id, row.event, [fallback]))
            email_id, status = (
                await session.execute(
                    select(Notification.id, Notification.status).where(
                        Notification.client_id == row.client_id,
                        Notification.incident_id == row.incident_id,
                        Notification.event == row.event,
                        Notification.channel == rcpt.EMAIL,
                        Notification.recipient == address,
                    )
                )
            ).one()
            if status == "queued":
                await self._queue_deliveries(session, [(email_id, rcpt.EMAIL)])
        log.info("teams fallback to e-mail notification=%s email_notification=%s", notification_id, email_id)
        return int(email_id)
