"""Release links: signed, URL-safe tokens that release one claim, for one recipient.

The claim confirmation e-mail gives the claimer and the client admins a link
`{PUBLIC_BASE_URL}/release/{token}`. Like claim links (services.claim_links) a
token is HMAC-SHA256-signed under a key derived from SECRET_KEY, but for its
own purpose, so a claim token can never be replayed as a release token or the
other way round. It binds the client, the incident, the claim and the
recipient's e-mail, and expires when the slot starts. It is naturally single
use: it names one claim, and a released claim stays released.
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

from services.claim_links import ClaimTokenExpired, ClaimTokenInvalid
from services.config import Settings
from services.errors import ConfigError

VERSION = "r1"
MAX_TOKEN_LENGTH = 2048
_PURPOSE = b"release-link:v1"
_FIELDS = ("c", "i", "k", "e", "x")


@dataclass(frozen=True)
class ReleaseToken:
    client_id: str
    incident_id: str
    claim_id: str
    email: str  # lower case
    expires_at: datetime  # aware UTC, whole seconds


def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"pivot-scheduling", info=_PURPOSE).derive(
        secret.encode()
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or not all(c.isalnum() or c in "-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ReleaseSigner:
    """Signs with the newest SECRET_KEY and verifies with any (key rotation keeps links working)."""

    def __init__(self, secret_keys: Sequence[str]) -> None:
        if not secret_keys:
            raise ConfigError("SECRET_KEY is required to sign release links")
        self._keys = [_key(k) for k in secret_keys]

    @classmethod
    def from_settings(cls, settings: Settings) -> ReleaseSigner:
        return cls(settings.secret_keys())

    def sign(self, token: ReleaseToken) -> str:
        if token.expires_at.utcoffset() is None:
            raise ValueError("expires_at must be timezone-aware")
        body = {
            "c": token.client_id,
            "i": token.incident_id,
            "k": token.claim_id,
            "e": token.email.strip().lower(),
            "x": int(token.expires_at.timestamp()),
        }
        signed = f"{VERSION}.{_b64(json.dumps(body, separators=(',', ':'), sort_keys=True).encode())}"
        return f"{signed}.{_b64(self._mac(self._keys[0], signed))}"

    def verify(self, token: str, *, now: datetime | None = None) -> ReleaseToken:
        """The token's content; `ClaimTokenInvalid` if altered, `ClaimTokenExpired` once the slot started."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise ClaimTokenInvalid("token too long or not text")
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != VERSION:
            raise ClaimTokenInvalid("not a release token")
        signed = f"{parts[0]}.{parts[1]}"
        try:
            mac = _unb64(parts[2])
            body = json.loads(_unb64(parts[1]))
        except (ValueError, binascii.Error):
            raise ClaimTokenInvalid("bad encoding") from None
        if not any(hmac.compare_digest(mac, self._mac(key, signed)) for key in self._keys):
            raise ClaimTokenInvalid("signature does not match")
        release = _token_from(body)
        if (now or datetime.now(UTC)) >= release.expires_at:
            raise ClaimTokenExpired(f"claim {release.claim_id}: slot started")
        return release

    @staticmethod
    def _mac(key: bytes, signed: str) -> bytes:
        return hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()


def _token_from(body: Any) -> ReleaseToken:
    if not isinstance(body, dict) or set(body) != set(_FIELDS):
        raise ClaimTokenInvalid("unexpected payload")
    if (
        not all(isinstance(body[k], str) and body[k] for k in ("c", "i", "k", "e"))
        or type(body["x"]) is not int
    ):
        raise ClaimTokenInvalid("unexpected payload")
    return ReleaseToken(body["c"], body["i"], body["k"], body["e"], datetime.fromtimestamp(body["x"], UTC))


def make_release_url(
    settings: Settings,
    *,
    client_id: str,
    incident_id: str,
    claim_id: str,
    email: str,
    slot_start: datetime,
    signer: ReleaseSigner | None = None,
) -> str:
    """`{PUBLIC_BASE_URL}/release/{token}`, valid until the slot starts."""
    token = (signer or ReleaseSigner.from_settings(settings)).sign(
        ReleaseToken(client_id, incident_id, claim_id, email, slot_start.astimezone(UTC))
    )
    return f"{settings.PUBLIC_BASE_URL}/release/{token}"
