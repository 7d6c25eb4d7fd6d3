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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.claims.claim_links import ClaimTokenExpired, ClaimTokenInvalid
from services.claims.signed_tokens import TokenRejected, TokenSigner
from services.config import Settings

VERSION = "r1"
_PURPOSE = b"release-link:v1"
_FIELDS = ("c", "i", "k", "e", "x")


@dataclass(frozen=True)
class ReleaseToken:
    client_id: str
    incident_id: str
    claim_id: str
    email: str  # lower case
    expires_at: datetime  # aware UTC, whole seconds


class ReleaseSigner:
    """Signs with the newest SECRET_KEY and verifies with any (key rotation keeps links working)."""

    def __init__(self, secret_keys: Sequence[str]) -> None:
        self._signer = TokenSigner(secret_keys, purpose=_PURPOSE, version=VERSION)

    @classmethod
    def from_settings(cls, settings: Settings) -> ReleaseSigner:
        return cls(settings.secret_keys())

    def sign(self, token: ReleaseToken) -> str:
        if token.expires_at.utcoffset() is None:
            raise ValueError("expires_at must be timezone-aware")
        return self._signer.sign(
            {
                "c": token.client_id,
                "i": token.incident_id,
                "k": token.claim_id,
                "e": token.email.strip().lower(),
                "x": int(token.expires_at.timestamp()),
            }
        )

    def verify(self, token: str, *, now: datetime | None = None) -> ReleaseToken:
        """The token's content; `ClaimTokenInvalid` if altered, `ClaimTokenExpired` once the slot started."""
        try:
            release = _token_from(self._signer.open(token))
        except TokenRejected as exc:
            raise ClaimTokenInvalid(str(exc)) from None
        if (now or datetime.now(UTC)) >= release.expires_at:
            raise ClaimTokenExpired(f"claim {release.claim_id}: slot started")
        return release


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
