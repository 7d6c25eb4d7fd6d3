"""E-mail links that carry a signed token: `{PUBLIC_BASE_URL}/{kind}/{token}`.

One class for every link kind (claim, release): a `LinkKind` says the URL path,
the token version and the signing purpose (services.claims.signed_tokens: a
key derived for that purpose only, so a token of one kind never opens another)
and which fields the payload binds. Every link names a recipient (signed in
lower case) and expires when its slot starts; the payload is compact JSON of
one-letter keys, `"x"` the expiry in whole UTC seconds. Tokens are
deterministic (no nonce): a re-sent e-mail carries the same links.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, Self, TypeVar

from services.claims.signed_tokens import TokenRejected, TokenSigner
from services.config import Settings
from services.errors import PivotError

EXPIRY_KEY = "x"


class ClaimLinkError(PivotError):
    """A claim or release link that cannot be used."""

    user_message = "This claim link is not valid."


class ClaimTokenInvalid(ClaimLinkError):
    """Malformed, altered, of another kind, or signed with a key we do not hold."""

    user_message = "This claim link is not valid. Use the link exactly as it arrived in your e-mail."


class ClaimTokenExpired(ClaimLinkError):
    """Genuine, but the slot has already started."""

    user_message = "This claim link has expired: the time slot has already started."


class _Expiring(Protocol):
    @property
    def expires_at(self) -> datetime: ...


T = TypeVar("T", bound=_Expiring)


@dataclass(frozen=True)
class LinkKind(Generic[T]):
    """One kind of signed link; `fields` maps payload keys to the token's text attributes."""

    path: str  # "claim" -> {PUBLIC_BASE_URL}/claim/{token}
    version: str  # the token's first part, e.g. "v1"
    purpose: bytes  # what the signing key is derived for
    fields: tuple[tuple[str, str], ...]  # (payload key, attribute); the expiry is EXPIRY_KEY
    token: Callable[..., T]  # builds the token from those attributes and `expires_at`
    expired: Callable[[T], str]  # what the log says when a genuine token has expired

    def payload(self, token: T) -> dict[str, Any]:
        if token.expires_at.utcoffset() is None:
            raise ValueError("expires_at must be timezone-aware")
        body: dict[str, Any] = {}
        for key, attribute in self.fields:
            value = getattr(token, attribute)
            body[key] = value.strip().lower() if attribute == "email" else value
        body[EXPIRY_KEY] = int(token.expires_at.timestamp())
        return body

    def read(self, body: Any) -> T:
        """Signed payloads are ours, but check their shape anyway: a bug must not become a crash."""
        keys = {key for key, _ in self.fields} | {EXPIRY_KEY}
        if not isinstance(body, dict) or set(body) != keys:
            raise ClaimTokenInvalid("unexpected payload")
        if not all(isinstance(body[key], str) and body[key] for key, _ in self.fields):
            raise ClaimTokenInvalid("unexpected payload")
        if type(body[EXPIRY_KEY]) is not int:
            raise ClaimTokenInvalid("unexpected payload")
        return self.token(
            **{attribute: body[key] for key, attribute in self.fields},
            expires_at=datetime.fromtimestamp(body[EXPIRY_KEY], UTC),
        )


class SignedLinks(Generic[T]):
    """Signs with the newest SECRET_KEY and verifies with any (key rotation keeps links working)."""

    kind: LinkKind[T]

    def __init__(self, secret_keys: Sequence[str]) -> None:
        self._signer = TokenSigner(secret_keys, purpose=self.kind.purpose, version=self.kind.version)

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(settings.secret_keys())

    def sign(self, token: T) -> str:
        return self._signer.sign(self.kind.payload(token))

    def verify(self, token: str, *, now: datetime | None = None) -> T:
        """The token's content; `ClaimTokenInvalid` if altered, `ClaimTokenExpired` once the slot started."""
        try:
            found = self.kind.read(self._signer.open(token))
        except TokenRejected as exc:
            raise ClaimTokenInvalid(str(exc)) from None
        if (now or datetime.now(UTC)) >= found.expires_at:
            raise ClaimTokenExpired(self.kind.expired(found))
        return found

    def url(self, settings: Settings, token: T) -> str:
        return f"{settings.PUBLIC_BASE_URL}/{self.kind.path}/{self.sign(token)}"
