"""Release links: signed, URL-safe tokens that release one claim, for one recipient.

The claim confirmation e-mail gives the claimer and the client admins a link
`{PUBLIC_BASE_URL}/release/{token}`. Like claim links (services.claims.signed_links) a
token is HMAC-SHA256-signed under a key derived from SECRET_KEY, but for its
own purpose, so a claim token can never be replayed as a release token or the
other way round. It binds the client, the incident, the claim and the
recipient's e-mail, and expires when the slot starts. It is naturally single
use: it names one claim, and a released claim stays released.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from services.claims.signed_links import LinkKind, SignedLinks
from services.config import Settings

VERSION = "r1"


@dataclass(frozen=True)
class ReleaseToken:
    client_id: str
    incident_id: str
    claim_id: str
    email: str  # lower case
    expires_at: datetime  # aware UTC, whole seconds


RELEASE_LINK: LinkKind[ReleaseToken] = LinkKind(
    path="release",
    version=VERSION,
    purpose=b"release-link:v1",
    fields=(("c", "client_id"), ("i", "incident_id"), ("k", "claim_id"), ("e", "email")),
    token=ReleaseToken,
    expired=lambda release: f"claim {release.claim_id}: slot started",
)


class ReleaseSigner(SignedLinks[ReleaseToken]):
    """Release links: one claim for one recipient."""

    kind = RELEASE_LINK


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
    return (signer or ReleaseSigner.from_settings(settings)).url(
        settings, ReleaseToken(client_id, incident_id, claim_id, email, slot_start.astimezone(UTC))
    )
