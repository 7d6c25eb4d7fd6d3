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

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.config import Settings
from services.errors import ConfigError, PivotError

VERSION = "v1"
MAX_TOKEN_LENGTH = 2048
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


def _key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"pivot-scheduling", info=_PURPOSE)
    return hkdf.derive(secret.encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or not all(c.isalnum() or c in "-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ClaimSigner:
    """Signs with the newest key and verifies with every configured key."""

    def __init__(self, secret_keys: Sequence[str]) -> None:
        if not secret_keys:
            raise ConfigError("SECRET_KEY is required to sign claim links")
        self._keys = [_key(k) for k in secret_keys]

    @classmethod
    def from_settings(cls, settings: Settings) -> ClaimSigner:
        return cls(settings.secret_keys())

    def sign(self, claim: ClaimToken) -> str:
        expires = claim.expires_at
        if expires.utcoffset() is None:
            raise ValueError("expires_at must be timezone-aware")
        body = {
            "c": claim.client_id,
            "i": claim.incident_id,
            "s": claim.slot_id,
            "e": claim.email.strip().lower(),
            "x": int(expires.timestamp()),
        }
        payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        signed = f"{VERSION}.{payload}"
        return f"{signed}.{_b64(self._mac(self._keys[0], signed))}"

    def verify(self, token: str, *, now: datetime | None = None) -> ClaimToken:
        """The token's claim; `ClaimTokenInvalid` if altered, `ClaimTokenExpired` if past the slot start."""
        claim = self._open(token)
        moment = now or datetime.now(UTC)
        if moment >= claim.expires_at:
            raise ClaimTokenExpired(f"slot {claim.slot_id} started")
        return claim

    def _open(self, token: str) -> ClaimToken:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise ClaimTokenInvalid("token too long or not text")
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != VERSION:
            raise ClaimTokenInvalid("not a claim token")
        signed = f"{parts[0]}.{parts[1]}"
        try:
            mac = _unb64(parts[2])
        except (ValueError, binascii.Error):
            raise ClaimTokenInvalid("bad signature encoding") from None
        if not any(hmac.compare_digest(mac, self._mac(key, signed)) for key in self._keys):
            raise ClaimTokenInvalid("signature does not match")
        try:
            body = json.loads(_unb64(parts[1]))
        except (ValueError, binascii.Error):
            raise ClaimTokenInvalid("bad payload") from None
        return _claim_from(body)

    @staticmethod
    def _mac(key: bytes, signed: str) -> bytes:
        return hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()


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
