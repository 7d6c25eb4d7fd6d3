"""Linking a Teams account to a directory user with a one-time code sent by e-mail.

Used when neither the AAD object id nor the e-mail Teams reports matches the
directory. Codes are random, stored hashed, expire after 10 minutes and allow
5 attempts; nothing tells a stranger whether an address is in the directory.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from services.directory.service import CODE_METHOD, in_tenant, same_tenant
from services.errors import PivotError
from services.notify.admin_routes import ADMIN_ROLE
from services.store.database import Database
from services.store.models import Client, User
from services.store.notification_models import IdentityLink, LinkCode
from services.store.times import as_utc

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5

SendCode = Callable[[str, str, str], Awaitable[None]]  # (email, name, code)


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


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


class IdentityLinkService:
    def __init__(self, db: Database, send_code: SendCode | None = None) -> None:
        self._db = db
        self._send_code = send_code

    def set_sender(self, send_code: SendCode) -> None:
        self._send_code = send_code

    async def start(self, teams_user_id: str, email: str, *, tenant_id: str | None) -> None:
        """E-mail a code if the address is a directory user's of a client in the sender's
        tenant; say nothing either way."""
        if not tenant_id:
            return
        async with self._db.session() as session:
            user = await session.scalar(
                select(User)
                .join(Client, Client.id == User.client_id)
                .where(User.email_lower == email.strip().lower(), in_tenant(tenant_id))
                .order_by(User.client_id, User.id)
                .limit(1)
            )
            if user is None:
                return
            code = f"{secrets.randbelow(1_000_000):06d}"
            await session.execute(delete(LinkCode).where(LinkCode.teams_user_id == teams_user_id))
            session.add(
                LinkCode(
                    teams_user_id=teams_user_id,
                    client_id=user.client_id,
                    user_id=user.id,
                    code_sha256=_digest(code),
                    expires_at=datetime.now(UTC) + CODE_TTL,
                    attempts=0,
                )
            )
            name, address = user.name, user.email
        if self._send_code is not None:
            await self._send_code(address, name, code)

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
            elif not hmac.compare_digest(pending.code_sha256, _digest(code)):
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

    By AAD object id; else by e-mail, only to a user without an AAD object id who is not a
    client admin (DESIGN 3.4). A member of another tenant (a guest) is never linked."""
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
                users = list(
                    (
                        await session.scalars(
                            query.where(
                                User.email_lower == member.email.lower(),
                                User.aad_object_id.is_(None),
                                User.role != ADMIN_ROLE,
                            )
                        )
                    ).all()
                )
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
