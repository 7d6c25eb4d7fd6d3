"""The pivot directory: import (upsert, idempotent, all or nothing) and look-ups.

pivot is the system of record; this module keeps our copy. An import either
writes everything or nothing, and importing the same document twice changes
nothing the second time (secrets included: an unchanged secret is not
re-encrypted).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.crypto import DecryptionFailed, SecretBox, api_key_digest, digests_match
from services.directory.schema import DirectoryDoc, check_references, parse_directory
from services.directory.secrets import webhook_secret_change
from services.errors import FieldProblem, NotFound, Unauthorized, ValidationFailed
from services.notify.admin_routes import ADMIN_ROLE
from services.store.database import Database
from services.store.models import Client, Location, Room, ServiceProvider, User
from services.store.notification_models import IdentityLink

CODE_METHOD = "code"  # an identity link made with a code mailed to the directory address


def same_tenant(client_tenant: str | None, activity_tenant: str | None) -> bool:
    """Whether an activity's tenant is the client's (DESIGN 3.4): both known and equal."""
    return bool(client_tenant and activity_tenant and client_tenant.lower() == activity_tenant.lower())


def in_tenant(tenant_id: str) -> Any:
    """The SQL condition "the joined client is in this tenant"."""
    return func.lower(Client.tenant_id) == tenant_id.lower()

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """What an import changed, per table: counts of created and updated rows."""

    client_id: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "created": self.created,
            "updated": self.updated,
            "changed": self.changed,
        }


@dataclass(frozen=True)
class DirectoryUser:
    """A person from the directory, as the rest of the app sees them."""

    client_id: str
    client_name: str
    id: str
    name: str
    email: str
    role: str
    aad_object_id: str | None
    service_provider_id: str | None
    notify: dict[str, Any]


class DirectoryService:
    """Imports directory documents and answers who-is-who questions."""

    def __init__(self, db: Database, box: SecretBox) -> None:
        self._db = db
        self._box = box

    async def import_document(self, data: Any, *, expected_client_id: str | None = None) -> ImportResult:
        """Validate, then upsert in one transaction. Raises `ValidationFailed` (nothing written)."""
        doc, problems = parse_directory(data)
        client_id = _client_id(data)
        if expected_client_id is not None and client_id != expected_client_id:
            problems.append(FieldProblem("client.id", "does not match the client in the URL"))
        async with self._db.session() as session:
            existing = await session.get(Client, client_id) if client_id else None
            known_locations = set(
                await session.scalars(select(Location.id).where(Location.client_id == client_id))
            )
            known_providers = set(
                await session.scalars(
                    select(ServiceProvider.id).where(ServiceProvider.client_id == client_id)
                )
            )
            if isinstance(data, dict):
                problems += check_references(
                    data,
                    known_locations=known_locations,
                    known_providers=known_providers,
                    creating_client=existing is None,
                )
            if doc is not None and doc.client.api_key is not None:
                digest = api_key_digest(doc.client.api_key)
                other = await session.scalar(
                    select(Client.id).where(Client.api_key_sha256 == digest, Client.id != doc.client.id)
                )
                if other is not None:
                    problems.append(FieldProblem("client.api_key", "already used by another client"))
            if problems or doc is None:
                raise ValidationFailed("directory", problems)
            result = ImportResult(doc.client.id)
            await self._upsert(session, doc, existing, result)
        return result

    async def _upsert(
        self, session: AsyncSession, doc: DirectoryDoc, client: Client | None, result: ImportResult
    ) -> None:
        c = doc.client
        values: dict[str, Any] = {"name": c.name, "tenant_id": c.tenant_id, "notify_email": c.notify_email}
        if client is None:
            client = Client(
                id=c.id,
                webhook_secret_enc=self._box.encrypt(c.webhook_secret or ""),
                api_key_sha256=api_key_digest(c.api_key or ""),
                **values,
            )
            session.add(client)
            result.created["clients"] = 1
        else:
            if c.webhook_secret is not None and self._stored_secret(client) != c.webhook_secret:
                # pivot switched secrets: the previous one keeps verifying for the overlap (DESIGN 3.3)
                readable = self._stored_secret(client) is not None
                previous = client.webhook_secret_enc if readable else None
                values |= webhook_secret_change(self._box, c.webhook_secret, previous, datetime.now(UTC))
            if c.api_key is not None and not digests_match(client.api_key_sha256, api_key_digest(c.api_key)):
                values["api_key_sha256"] = api_key_digest(c.api_key)
            if _apply(client, values):
                client.updated_at = func.now()
                result.updated["clients"] = 1
        await session.flush()

        await self._upsert_rows(
            session,
            result,
            "locations",
            Location,
            [
                (loc.id, {"name": loc.name, "timezone": loc.timezone, "business_hours": loc.business_hours})
                for loc in doc.locations
            ],
            c.id,
        )
        await self._upsert_rows(
            session,
            result,
            "service_providers",
            ServiceProvider,
            [
                (sp.id, {"name": sp.name, "email": sp.email, "location_ids": sp.location_ids})
                for sp in doc.service_providers
            ],
            c.id,
        )
        await session.flush()
        room_rows = []
        for room in doc.rooms:
            values = {"name": room.name, "location_id": room.location_id}
            if room.calendar_email is not None:
                values["calendar_email"] = room.calendar_email.lower()
                values["mapping_source"] = "directory"
            room_rows.append((room.id, values))
        await self._upsert_rows(session, result, "rooms", Room, room_rows, c.id)
        await self._upsert_rows(
            session,
            result,
            "users",
            User,
            [
                (
                    u.id,
                    {
                        "name": u.name,
                        "email": u.email,
                        "email_lower": u.email.lower(),
                        "role": u.role,
                        "aad_object_id": u.aad_object_id.lower() if u.aad_object_id else None,
                        "service_provider_id": u.service_provider_id,
                        "notify": u.notify.model_dump(),
                    },
                )
                for u in doc.users
            ],
            c.id,
        )

    @staticmethod
    async def _upsert_rows(
        session: AsyncSession,
        result: ImportResult,
        name: str,
        model: type[Any],
        rows: list[tuple[str, dict[str, Any]]],
        client_id: str,
    ) -> None:
        created = updated = 0
        for row_id, values in rows:
            row = await session.get(model, (client_id, row_id))
            if row is None:
                session.add(model(client_id=client_id, id=row_id, **values))
                created += 1
            elif _apply(row, values):
                updated += 1
        if created:
            result.created[name] = created
        if updated:
            result.updated[name] = updated

    async def authenticate(self, client_id: str, api_key: str) -> str:
        """Return the client id when `api_key` is that client's key; else raise `Unauthorized`."""
        async with self._db.session() as session:
            client = await session.get(Client, client_id)
        if client is None or not digests_match(client.api_key_sha256, api_key_digest(api_key)):
            raise Unauthorized("bad api key")
        return client.id

    async def client_for_api_key(self, api_key: str) -> str:
        """The client whose API key this is; raise `Unauthorized` when none."""
        digest = api_key_digest(api_key)
        async with self._db.session() as session:
            client_id = await session.scalar(select(Client.id).where(Client.api_key_sha256 == digest))
        if client_id is None:
            raise Unauthorized("bad api key")
        return client_id

    def _stored_secret(self, client: Client) -> str | None:
        """The stored webhook secret; None when no configured SECRET_KEY opens it (pivot's new one wins)."""
        try:
            return self._box.decrypt(client.webhook_secret_enc)
        except DecryptionFailed:
            log.error("stored webhook secret undecryptable client=%s (the imported one wins)", client.id)
            return None

    async def webhook_secret(self, client_id: str) -> str:
        async with self._db.session() as session:
            client = await session.get(Client, client_id)
        if client is None:
            raise NotFound(f"client {client_id}")
        return self._box.decrypt(client.webhook_secret_enc)

    async def users_for_teams_identity(
        self, *, tenant_id: str | None, aad_object_id: str | None, email: str | None
    ) -> list[DirectoryUser]:
        """Directory users of the tenant's clients this Teams identity maps to (DESIGN 3.4).

        By AAD object id; else by the e-mail Teams reports, which only links a user who has no
        AAD object id yet and never a client admin. Nothing outside the tenant, ever."""
        if not tenant_id:
            return []
        if aad_object_id:
            users = await self._tenant_users(tenant_id, User.aad_object_id == aad_object_id.lower())
            if users:
                return users
        if email:
            return await self._tenant_users(
                tenant_id,
                User.email_lower == email.strip().lower(),
                User.aad_object_id.is_(None),
                User.role != ADMIN_ROLE,
            )
        return []

    async def linked_users(
        self, *, tenant_id: str | None, teams_user_id: str, aad_object_id: str | None
    ) -> list[DirectoryUser]:
        """Directory users this Teams account was linked to, inside the tenant only.

        A link made by a mailed code stands; one learnt from a roster or an e-mail is only
        believed while it still fits the rules of `users_for_teams_identity` (the directory
        user has no other AAD object id, and it never makes a client admin)."""
        if not tenant_id or not teams_user_id:
            return []
        sender_aad = (aad_object_id or "").lower() or None
        async with self._db.session() as session:
            rows = (
                await session.execute(
                    select(User, Client.name, IdentityLink.method)
                    .join(Client, Client.id == User.client_id)
                    .join(
                        IdentityLink,
                        (IdentityLink.client_id == User.client_id) & (IdentityLink.user_id == User.id),
                    )
                    .where(
                        IdentityLink.teams_user_id == teams_user_id,
                        func.lower(IdentityLink.tenant_id) == tenant_id.lower(),
                        in_tenant(tenant_id),
                    )
                    .order_by(User.client_id, User.id)
                )
            ).all()
        out = []
        for user, client_name, method in rows:
            if method != CODE_METHOD:
                if user.role == ADMIN_ROLE and not (sender_aad and user.aad_object_id == sender_aad):
                    continue
                if user.aad_object_id is not None and user.aad_object_id != sender_aad:
                    continue
            out.append(_to_user(user, client_name))
        return out

    async def _tenant_users(self, tenant_id: str, *conditions: Any) -> list[DirectoryUser]:
        async with self._db.session() as session:
            rows = (
                await session.execute(
                    select(User, Client.name)
                    .join(Client, Client.id == User.client_id)
                    .where(in_tenant(tenant_id), *conditions)
                    .order_by(User.client_id, User.id)
                )
            ).all()
        return [_to_user(u, client_name) for u, client_name in rows]

    async def users_by_keys(self, keys: list[tuple[str, str]]) -> list[DirectoryUser]:
        """Directory users by (client_id, user_id), e.g. from identity links."""
        out = []
        async with self._db.session() as session:
            for client_id, user_id in keys:
                user = await session.get(User, (client_id, user_id))
                client = await session.get(Client, client_id)
                if user is not None and client is not None:
                    out.append(_to_user(user, client.name))
        return out


def _client_id(data: Any) -> str | None:
    client = data.get("client") if isinstance(data, dict) else None
    value = client.get("id") if isinstance(client, dict) else None
    return value if isinstance(value, str) else None


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Set changed attributes only; report whether anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def _to_user(u: User, client_name: str) -> DirectoryUser:
    return DirectoryUser(
        client_id=u.client_id,
        client_name=client_name,
        id=u.id,
        name=u.name,
        email=u.email,
        role=u.role,
        aad_object_id=u.aad_object_id,
        service_provider_id=u.service_provider_id,
        notify=dict(u.notify),
    )
