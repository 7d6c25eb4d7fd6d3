"""Claim links (DESIGN 3.9): signed, URL-safe tokens naming one slot for one recipient.

A token binds the client, the incident, the slot, the recipient's e-mail and an
expiry (the slot's start). It is signed with HMAC-SHA256 under a key derived
from SECRET_KEY for this purpose only, so a token can never be confused with
anything else the key protects. SECRET_KEY may list several keys, newest
first: tokens are signed with the newest and verified with any, so rotating the
key does not break links already in people's inboxes. Tokens are
deterministic (no nonce): a re-sent e-mail carries the same links. Single use
is the claim flow's job, keyed on what the token binds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.claims.signed_tokens import TokenRejected, TokenSigner
from services.config import Settings
from services.errors import PivotError

VERSION = "v1"
_PURPOSE = b"claim-link:v1"
_FIELDS = ("c", "i", "s", "e", "x")


class ClaimLinkError(PivotError):
    """A claim link that cannot be used."""

    user_message = "This claim link is not valid."


class ClaimTokenInvalid(ClaimLinkError):
    """Malformed, altered, or signed with a key we do not hold."""

    user_message = "This claim link is not valid. Use the link exactly as it arrived in your e-mail."


class ClaimTokenExpired(ClaimLinkError):
    """Genuine, but the slot has already started."""

    user_message = "This claim link has expired: the time slot has already started."


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


class ClaimSigner:
    """Signs with the newest key and verifies with every configured key."""

    def __init__(self, secret_keys: Sequence[str]) -> None:
        self._signer = TokenSigner(secret_keys, purpose=_PURPOSE, version=VERSION)

    @classmethod
    def from_settings(cls, settings: Settings) -> ClaimSigner:
        return cls(settings.secret_keys())

    def sign(self, claim: ClaimToken) -> str:
        if claim.expires_at.utcoffset() is None:
            raise ValueError("expires_at must be timezone-aware")
        return self._signer.sign(
            {
                "c": claim.client_id,
                "i": claim.incident_id,
                "s": claim.slot_id,
                "e": claim.email.strip().lower(),
                "x": int(claim.expires_at.timestamp()),
            }
        )

    def verify(self, token: str, *, now: datetime | None = None) -> ClaimToken:
        """The token's claim; `ClaimTokenInvalid` if altered, `ClaimTokenExpired` if past the slot start."""
        try:
            claim = _claim_from(self._signer.open(token))
        except TokenRejected as exc:
            raise ClaimTokenInvalid(str(exc)) from None
        if (now or datetime.now(UTC)) >= claim.expires_at:
            raise ClaimTokenExpired(f"slot {claim.slot_id} started")
        return claim


def _claim_from(body: Any) -> ClaimToken:
    """Signed payloads are ours, but check their shape anyway: a bug must not become a crash."""
    if not isinstance(body, dict) or set(body) != set(_FIELDS):
        raise ClaimTokenInvalid("unexpected payload")
    strings = [body[k] for k in ("c", "i", "s", "e")]
    if not all(isinstance(v, str) and v for v in strings) or type(body["x"]) is not int:
        raise ClaimTokenInvalid("unexpected payload")
    return ClaimToken(
        client_id=body["c"],
        incident_id=body["i"],
        slot_id=body["s"],
        email=body["e"],
        expires_at=datetime.fromtimestamp(body["x"], UTC),
    )


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
    token = (signer or ClaimSigner.from_settings(settings)).sign(
        ClaimToken(client_id, incident_id, slot_id, email, slot_start.astimezone(UTC))
    )
    return f"{settings.PUBLIC_BASE_URL}/claim/{token}"


def verify(settings: Settings, token: str, *, now: datetime | None = None) -> ClaimToken:
    """Verify a token from a claim URL with the configured keys (see `ClaimSigner.verify`)."""
    return ClaimSigner.from_settings(settings).verify(token, now=now)
