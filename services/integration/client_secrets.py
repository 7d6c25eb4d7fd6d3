"""A client's webhook secret and API key, issued by setup and `rotate-secrets`.

New values are random, stored the way the directory stores them (the webhook
secret encrypted, because signatures must be checked with it; the API key as
a SHA-256 digest) and handed back once, for the admin to paste into pivot.
The old API key stops working at once; the old webhook secret keeps verifying
for `WEBHOOK_SECRET_OVERLAP` (DESIGN 3.3), so deliveries in flight and a pivot
that has not switched yet are not refused.
"""

from __future__ import annotations

import base64
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, update

from services.crypto import SecretBox, api_key_digest
from services.directory.secrets import webhook_secret_change
from services.errors import NotFound
from services.store.database import Database
from services.store.models import Client
from services.store.state_store import StateStore

log = logging.getLogger(__name__)
WEBHOOK_PREFIX = "whsec_"
API_KEY_PREFIX = "pvk_"


@dataclass(frozen=True)
class IssuedSecrets:
    """Plain values: show them once, never store or log them."""

    client_id: str
    webhook_secret: str
    api_key: str

    def __repr__(self) -> str:
        return f"IssuedSecrets(client_id={self.client_id!r}, webhook_secret=…, api_key=…)"


def new_webhook_secret() -> str:
    """Standard Webhooks form: `whsec_` + base64 of 32 random bytes."""
    return WEBHOOK_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


class ClientSecrets:
    def __init__(self, db: Database, box: SecretBox) -> None:
        self._db = db
        self._box = box

    async def issue_first(self, client_id: str) -> IssuedSecrets | None:
        """New secrets the first time setup completes for a client; None afterwards, so
        re-running setup (another site, a change) never breaks what pivot already has.
        `rotate-secrets` replaces them on purpose."""
        state = StateStore(self._db)
        key = f"pivot-setup/{client_id}/secrets-issued"
        if await state.read([key]):
            return None
        issued = await self.rotate(client_id)
        await state.write(key, '{"issued": true}', None)
        return issued

    async def rotate(self, client_id: str, *, now: datetime | None = None) -> IssuedSecrets:
        """Replace both secrets of the client in one transaction; the new ones are returned.
        The previous webhook secret keeps verifying for WEBHOOK_SECRET_OVERLAP after `now`."""
        issued = IssuedSecrets(client_id, new_webhook_secret(), new_api_key())
        when = now or datetime.now(UTC)
        async with self._db.session() as session:
            result = await session.execute(
                update(Client)
                .where(Client.id == client_id)
                .values(
                    **webhook_secret_change(
                        self._box, issued.webhook_secret, Client.webhook_secret_enc, when
                    ),
                    api_key_sha256=api_key_digest(issued.api_key),
                    updated_at=func.now(),
                )
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise NotFound(f"client {client_id}")
        log.info("client secrets rotated client=%s", client_id)
        return issued
