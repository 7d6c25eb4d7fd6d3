"""Linking a Teams account to a directory user with a one-time code sent by e-mail.

Used when neither the AAD object id nor the e-mail Teams reports matches the
directory. Codes are random, stored as a keyed hash, expire after 10 minutes
and allow 5 attempts. The code travels by the durable mail job (`link.code`),
and "sent" is said only once that job is queued. A Teams account, and an
address, get at most `MAX_REQUESTS` codes an hour (counted in the database, so
neither restarting `link` nor restarting the app gives more guesses). Nothing
tells a stranger whether an address is in the directory, and only directory
users of clients in the sender's tenant get a code (DESIGN 3.4).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

from sqlalchemy import delete, or_, select

from services import texts
from services.crypto import SecretBox, derived_key
from services.directory.service import CODE_METHOD, in_tenant, same_tenant
from services.errors import PivotError
from services.jobs import JobInfo, RetryLater, enqueue
from services.notify.admin_routes import ADMIN_ROLE
from services.notify.email_content import MailTo, assemble
from services.notify.mailer import Mailer, MailPermanent, MailTransient, message_id_for
from services.store.database import Database
from services.store.models import Client, User
from services.store.notification_models import IdentityLink, LinkCode, LinkRequest
from services.store.times import as_utc

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
REQUEST_WINDOW = timedelta(hours=1)
MAX_REQUESTS = 3  # codes per Teams account, and per address, per REQUEST_WINDOW
LINK_MAIL_JOB = "link.code"
MAIL_JOB_ATTEMPTS = 5  # the code expires in 10 minutes: no point retrying for longer


class LinkFailed(PivotError):
    """Wrong, expired or exhausted code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # wrong | expired | exhausted | none


@dataclass(frozen=True)
class Linked:
    client_id: str
    user_id: str
    name: str


@dataclass(frozen=True)
class LinkStart:
    """What `start` did: `queued` (a code is on its way if the address is known), `limited`
    (too many codes asked for: try again at `retry_at`), `unavailable` (no e-mail here)."""

    outcome: str
    retry_at: datetime | None = None


def _now() -> datetime:
    return datetime.now(UTC)


class IdentityLinkService:
    def __init__(self, db: Database, box: SecretBox, mailer: Mailer | None, secret_key: str) -> None:
        self._db = db
        self._box = box
        self._mailer = mailer
        self._key = derived_key(secret_key, "link-code")

    def _digest(self, teams_user_id: str, code: str) -> str:
        """A keyed hash: a copy of the table does not give the 6-digit codes away."""
        message = f"{teams_user_id}\x1f{code.strip()}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def job_handlers(self) -> dict[str, Callable[[JobInfo], Awaitable[None]]]:
        return {LINK_MAIL_JOB: self.handle_mail_job}

    async def start(self, teams_user_id: str, email: str, *, tenant_id: str | None) -> LinkStart:
        """Queue an e-mailed code if the address is a directory user's of a client in the
        sender's tenant; the answer is the same whether it is or not."""
        if self._mailer is None:
            return LinkStart("unavailable")
        address = email.strip().lower()
        now = _now()
        async with self._db.session() as session:
            await session.execute(delete(LinkRequest).where(LinkRequest.requested_at <= now - REQUEST_WINDOW))
            recent = (
                await session.execute(
                    select(LinkRequest.teams_user_id, LinkRequest.email_lower, LinkRequest.requested_at)
                    .where(
                        LinkRequest.requested_at > now - REQUEST_WINDOW,
                        or_(LinkRequest.teams_user_id == teams_user_id, LinkRequest.email_lower == address),
                    )
                    .order_by(LinkRequest.requested_at)
                )
            ).all()
            retry_at = _retry_at([as_utc(r.requested_at) for r in recent if r.teams_user_id == teams_user_id])
            by_address = _retry_at([as_utc(r.requested_at) for r in recent if r.email_lower == address])
            if retry_at or by_address:
                log.info("link refused, too many codes teams_user=%s", teams_user_id)
                return LinkStart("limited", max(t for t in (retry_at, by_address) if t is not None))
            session.add(LinkRequest(teams_user_id=teams_user_id, email_lower=address, requested_at=now))
            user = None
            if tenant_id:
                user = await session.scalar(
                    select(User)
                    .join(Client, Client.id == User.client_id)
                    .where(User.email_lower == address, in_tenant(tenant_id))
                    .order_by(User.client_id, User.id)
                    .limit(1)
                )
            if user is None:
                return LinkStart("queued")
            code = f"{secrets.randbelow(1_000_000):06d}"
            await session.execute(delete(LinkCode).where(LinkCode.teams_user_id == teams_user_id))
            session.add(
                LinkCode(
                    teams_user_id=teams_user_id,
                    client_id=user.client_id,
                    user_id=user.id,
                    code_sha256=self._digest(teams_user_id, code),
                    expires_at=now + CODE_TTL,
                    attempts=0,
                )
            )
            await enqueue(
                session,
                self._db,
                LINK_MAIL_JOB,
                {"teams_user_id": teams_user_id, "code": self._box.encrypt(code)},
                max_attempts=MAIL_JOB_ATTEMPTS,
            )
        log.info("link code queued teams_user=%s client=%s user=%s", teams_user_id, user.client_id, user.id)
        return LinkStart("queued")

    async def handle_mail_job(self, job: JobInfo) -> None:
        """`link.code`: e-mail the pending code to the directory address (a code replaced by a
        newer one, used or expired is not sent)."""
        teams_user_id = str(job.payload["teams_user_id"])
        code = self._box.decrypt(str(job.payload["code"]))
        async with self._db.session() as session:
            pending = await session.get(LinkCode, teams_user_id)
            if (
                pending is None
                or as_utc(pending.expires_at) <= _now()
                or not hmac.compare_digest(pending.code_sha256, self._digest(teams_user_id, code))
            ):
                log.info("link code not sent, no longer pending job=%s", job.id)
                return
            user = await session.get(User, (pending.client_id, pending.user_id))
            client = await session.get(Client, pending.client_id)
            digest = pending.code_sha256
        if user is None or client is None or self._mailer is None:
            return
        body = texts.LINK_EMAIL_BODY.format(name=user.name, code=code)
        html = "".join(f"<p>{escape(part)}</p>" for part in body.split("\n\n"))
        message = assemble(
            subject=texts.LINK_EMAIL_SUBJECT,
            sender=self._mailer.sender,
            to=MailTo(user.email, user.name, user.role, client.name),
            message_id=message_id_for("link", teams_user_id, digest),
            text=body,
            html=f"<!doctype html><html><body>{html}</body></html>",
        )
        try:
            await self._mailer.send(message, recipients=[user.email])
        except MailPermanent as exc:
            log.warning("link code rejected job=%s code=%s", job.id, exc.code)
            return
        except MailTransient:
            raise RetryLater(min(60.0, 5.0 * 2**job.attempts), "smtp transient") from None
        log.info("link code sent job=%s client=%s user=%s", job.id, user.client_id, user.id)

    async def confirm(
        self, teams_user_id: str, code: str, *, aad_object_id: str | None, tenant_id: str | None
    ) -> Linked:
        """Link on the right code; a wrong one costs an attempt (committed before raising)."""
        failure: str | None = None
        linked: Linked | None = None
        async with self._db.session() as session:
            pending = await session.get(LinkCode, teams_user_id)
            if pending is None:
                failure = "none"
            elif as_utc(pending.expires_at) < datetime.now(UTC):
                await session.delete(pending)
                failure = "expired"
            elif not hmac.compare_digest(pending.code_sha256, self._digest(teams_user_id, code)):
                pending.attempts += 1
                if pending.attempts >= MAX_ATTEMPTS:
                    await session.delete(pending)
                    failure = "exhausted"
                else:
                    failure = "wrong"
            else:
                user = await session.get(User, (pending.client_id, pending.user_id))
                client = await session.get(Client, pending.client_id)
                await session.delete(pending)
                if user is None or client is None or not same_tenant(client.tenant_id, tenant_id):
                    failure = "none"
                else:
                    existing = await session.get(IdentityLink, (teams_user_id, user.client_id))
                    if existing is None:
                        session.add(
                            IdentityLink(
                                teams_user_id=teams_user_id,
                                client_id=user.client_id,
                                user_id=user.id,
                                aad_object_id=(aad_object_id or "").lower() or None,
                                tenant_id=tenant_id,
                                method=CODE_METHOD,
                            )
                        )
                    else:
                        existing.user_id = user.id
                        existing.tenant_id = tenant_id
                        existing.method = CODE_METHOD
                    linked = Linked(user.client_id, user.id, user.name)
        if failure is not None or linked is None:
            raise LinkFailed(failure or "none")
        return linked


def _retry_at(requested: list[datetime]) -> datetime | None:
    """When one more code may be asked for, given the requests of the last window (oldest
    first); None when it may be now."""
    if len(requested) < MAX_REQUESTS:
        return None
    return requested[len(requested) - MAX_REQUESTS] + REQUEST_WINDOW


@dataclass(frozen=True)
class RosterMember:
    """A member of a team or chat as Teams lists it."""

    teams_user_id: str
    aad_object_id: str | None
    email: str | None
    tenant_id: str | None


async def remember_roster(db: Database, members: list[RosterMember], tenant_id: str | None) -> int:
    """Link roster members to directory users of the tenant's clients: the way the bot
    learns the Teams ids it needs to open 1:1 chats with people who never wrote to it.

    By AAD object id; else by e-mail, never to a client admin, and to a user with an AAD
    object id only when the roster gives none (a link that only serves to reach them:
    `DirectoryService.linked_users` identifies nobody by it while the ids disagree, DESIGN
    3.4). A member of another tenant (a guest) is never linked."""
    if not tenant_id:
        return 0
    linked = 0
    async with db.session() as session:
        for member in members:
            if member.tenant_id and not same_tenant(member.tenant_id, tenant_id):
                continue
            users: list[User] = []
            query = select(User).join(Client, Client.id == User.client_id).where(in_tenant(tenant_id))
            if member.aad_object_id:
                users = list(
                    (
                        await session.scalars(query.where(User.aad_object_id == member.aad_object_id.lower()))
                    ).all()
                )
            if not users and member.email:
                by_email = [User.email_lower == member.email.lower(), User.role != ADMIN_ROLE]
                if member.aad_object_id:  # the roster names an AAD id: an e-mail must not contradict it
                    by_email.append(User.aad_object_id.is_(None))
                users = list((await session.scalars(query.where(*by_email))).all())
            for user in users:
                row = await session.get(IdentityLink, (member.teams_user_id, user.client_id))
                if row is None:
                    session.add(
                        IdentityLink(
                            teams_user_id=member.teams_user_id,
                            client_id=user.client_id,
                            user_id=user.id,
                            aad_object_id=(member.aad_object_id or "").lower() or None,
                            tenant_id=tenant_id,
                            method="roster",
                        )
                    )
                    linked += 1
    return linked
