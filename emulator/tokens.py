"""Signing keys and the JWTs the identity endpoints issue and Graph checks.

Refresh tokens are signed JWTs too (opaque to clients), so a stored sign-in
survives an emulator restart; revocation and rotation are tracked in state.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.files import atomic_write, directory_lock
from emulator.model import Mailbox

SIGNING_KEY_FILE = "signing-key.pem"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_AUDIENCES = (GRAPH_APP_ID, "https://graph.microsoft.com", "https://graph.microsoft.com/")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _int_b64(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class SigningKey:
    """An RSA key and its key id, as published in the JWKS."""

    private: rsa.RSAPrivateKey
    kid: str

    def jwk(self, issuer: str) -> dict[str, Any]:
        """The public key as a JWKS entry."""
        numbers = self.private.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "x5t": self.kid,
            "n": _int_b64(numbers.n),
            "e": _int_b64(numbers.e),
            "issuer": issuer,
        }


def kid_for(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _b64url(hashlib.sha1(der, usedforsecurity=False).digest())


def generate_signing_key() -> SigningKey:
    """A new RSA-2048 signing key (not stored anywhere)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(private=key, kid=kid_for(key))


def load_signing_key(key_dir: str | Path) -> SigningKey:
    """Reuse `signing-key.pem` in `key_dir`, or create it."""
    directory = Path(key_dir).resolve()
    path = directory / SIGNING_KEY_FILE
    with directory_lock(directory):
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if isinstance(key, rsa.RSAPrivateKey):
                return SigningKey(private=key, kid=kid_for(key))
        except (OSError, ValueError):
            pass
        fresh = generate_signing_key()
        atomic_write(
            path,
            fresh.private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            mode=0o600,
        )
        return fresh


def pairwise_subject(user: Mailbox, client_id: str) -> str:
    """The id_token `sub`: stable per user and app, as Entra ID does."""
    return _b64url(hashlib.sha256(f"{user.id}:{client_id}".encode()).digest())[:43]


class TokenIssuer:
    """Issues and verifies the emulator's tokens with one signing key."""

    def __init__(self, key: SigningKey) -> None:
        self._key = key

    @property
    def key(self) -> SigningKey:
        """The signing key (for the JWKS)."""
        return self._key

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            claims, self._key.private, algorithm="RS256", headers={"kid": self._key.kid, "x5t": self._key.kid}
        )

    def access_token(
        self,
        *,
        issuer: str,
        tenant_id: str,
        user: Mailbox,
        client_id: str,
        scopes: list[str],
        lifetime: int,
        now_ms: int,
    ) -> str:
        """A Graph access token carrying the delegated scopes in `scp`."""
        now = now_ms // 1000
        return self._sign(
            {
                "aud": GRAPH_APP_ID,
                "iss": issuer,
                "iat": now,
                "nbf": now,
                "exp": now + lifetime,
                "appid": client_id,
                "azp": client_id,
                "idtyp": "user",
                "name": user.display_name,
                "oid": user.id,
                "preferred_username": user.upn,
                "upn": user.upn,
                "unique_name": user.upn,
                "scp": " ".join(scopes),
                "sub": pairwise_subject(user, GRAPH_APP_ID),
                "tid": tenant_id,
                "uti": _b64url(uuid.uuid4().bytes),
                "ver": "1.0",
                "emu_use": "access",
                "emu_iat_ms": now_ms,
            }
        )

    def id_token(
        self,
        *,
        issuer: str,
        tenant_id: str,
        user: Mailbox,
        client_id: str,
        nonce: str | None,
        lifetime: int,
        now_ms: int,
    ) -> str:
        """An OpenID Connect id_token for the client (aud = client id)."""
        now = now_ms // 1000
        claims: dict[str, Any] = {
            "aud": client_id,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "name": user.display_name,
            "oid": user.id,
            "preferred_username": user.upn,
            "sub": pairwise_subject(user, client_id),
            "tid": tenant_id,
            "uti": _b64url(uuid.uuid4().bytes),
            "ver": "2.0",
            "emu_use": "id",
        }
        if nonce:
            claims["nonce"] = nonce
        return self._sign(claims)

    def refresh_token(
        self,
        *,
        issuer: str,
        tenant_id: str,
        user: Mailbox,
        client_id: str,
        scopes: list[str],
        lifetime: int,
        now_ms: int,
    ) -> str:
        """A refresh token bound to user, client and the granted scopes."""
        now = now_ms // 1000
        return self._sign(
            {
                "aud": client_id,
                "iss": issuer,
                "iat": now,
                "exp": now + lifetime,
                "oid": user.id,
                "tid": tenant_id,
                "scp": " ".join(scopes),
                "jti": uuid.uuid4().hex,
                "emu_use": "refresh",
                "emu_iat_ms": now_ms,
            }
        )

    def decode_access_token(self, token: str) -> dict[str, Any]:
        """Verify signature, audience and lifetime; raises jwt.PyJWTError."""
        claims = jwt.decode(
            token,
            self._key.private.public_key(),
            algorithms=["RS256"],
            audience=list(GRAPH_AUDIENCES),
            options={"require": ["exp", "iat", "scp", "oid", "tid"]},
        )
        if claims.get("emu_use") != "access":
            raise jwt.InvalidTokenError("not an access token")
        return claims

    def decode_refresh_token(self, token: str, client_id: str) -> dict[str, Any]:
        """Verify a refresh token for `client_id`; raises jwt.PyJWTError."""
        claims = jwt.decode(
            token,
            self._key.private.public_key(),
            algorithms=["RS256"],
            audience=client_id,
            options={"require": ["exp", "jti", "oid"]},
        )
        if claims.get("emu_use") != "refresh":
            raise jwt.InvalidTokenError("not a refresh token")
        return claims
