"""Claim links (DESIGN 3.9): signed, URL-safe tokens naming one slot for one recipient.

A token binds the client, the incident, the slot, the recipient's e-mail and an
expiry (the slot's start); signing, key rotation and the token format are
services.claims.signed_links. Single use is the claim flow's job, keyed on
what the token binds (`ClaimToken.use_key`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from services.claims.signed_links import (
    ClaimLinkError,
    ClaimTokenExpired,
    ClaimTokenInvalid,
    LinkKind,
    SignedLinks,
)
from services.config import Settings

__all__ = [
    "ClaimLinkError",
    "ClaimSigner",
    "ClaimToken",
    "ClaimTokenExpired",
    "ClaimTokenInvalid",
    "make_claim_url",
    "verify",
]

VERSION = "v1"


@dataclass(frozen=True)
class ClaimToken:
    client_id: str
    incident_id: str
    slot_id: str
    email: str  # lower case
    expires_at: datetime  # aware UTC, whole seconds

    @property
    def use_key(self) -> str:
        """What the link authorises (this address claiming this slot), as a digest: a link
        is used once, however its text is spelt."""
        parts = (
            self.client_id,
            self.incident_id,
            self.slot_id,
            self.email.strip().lower(),
            str(int(self.expires_at.timestamp())),
        )
        return hashlib.sha256("\x1f".join(("claim", *parts)).encode()).hexdigest()


CLAIM_LINK: LinkKind[ClaimToken] = LinkKind(
    path="claim",
    version=VERSION,
    purpose=b"claim-link:v1",
    fields=(("c", "client_id"), ("i", "incident_id"), ("s", "slot_id"), ("e", "email")),
    token=ClaimToken,
    expired=lambda claim: f"slot {claim.slot_id} started",
)


class ClaimSigner(SignedLinks[ClaimToken]):
    """Claim links: one slot for one recipient."""

    kind = CLAIM_LINK


def make_claim_url(
    settings: Settings,
    *,
    client_id: str,
    incident_id: str,
    slot_id: str,
    email: str,
    slot_start: datetime,
    signer: ClaimSigner | None = None,
) -> str:
    """`{PUBLIC_BASE_URL}/claim/{token}` for this slot and recipient, valid until the slot starts."""
    return (signer or ClaimSigner.from_settings(settings)).url(
        settings, ClaimToken(client_id, incident_id, slot_id, email, slot_start.astimezone(UTC))
    )


def verify(settings: Settings, token: str, *, now: datetime | None = None) -> ClaimToken:
    """Verify a token from a claim URL with the configured keys (see `ClaimSigner.verify`)."""
    return ClaimSigner.from_settings(settings).verify(token, now=now)
