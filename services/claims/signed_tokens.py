"""Signed, URL-safe tokens for e-mail links (claim, release): `<version>.<payload>.<mac>`.

The payload is compact JSON; the MAC is HMAC-SHA256 under a key derived from
SECRET_KEY *for one purpose*, so a token of one kind can never be replayed as
another. SECRET_KEY may list several keys, newest first: tokens are signed with
the newest and verified with any, so rotating the key keeps links working.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.errors import ConfigError

MAX_TOKEN_LENGTH = 2048
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class TokenRejected(ValueError):
    """Malformed, altered, of another kind, or signed with a key we do not hold."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict: only the canonical spelling decodes (the unused low bits of the last character
    must be zero), so one token has exactly one spelling."""
    if not text or not all(c in _ALPHABET for c in text):
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


def _derive(secret: str, purpose: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"pivot-scheduling", info=purpose)
    return hkdf.derive(secret.encode())


class TokenSigner:
    def __init__(self, secret_keys: Sequence[str], *, purpose: bytes, version: str) -> None:
        if not secret_keys:
            raise ConfigError("SECRET_KEY is required to sign links")
        self._version = version
        self._keys = [_derive(k, purpose) for k in secret_keys]

    def sign(self, body: dict[str, Any]) -> str:
        signed = f"{self._version}.{_b64(json.dumps(body, separators=(',', ':'), sort_keys=True).encode())}"
        return f"{signed}.{_b64(self._mac(self._keys[0], signed))}"

    def open(self, token: object) -> Any:
        """The signed payload; raises `TokenRejected` (the MAC is checked before the payload is read)."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise TokenRejected("token too long or not text")
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != self._version:
            raise TokenRejected("not a token of this kind")
        signed = f"{parts[0]}.{parts[1]}"
        try:
            mac = _unb64(parts[2])
        except (ValueError, binascii.Error):
            raise TokenRejected("bad signature encoding") from None
        if not any(hmac.compare_digest(mac, self._mac(key, signed)) for key in self._keys):
            raise TokenRejected("signature does not match")
        try:
            return json.loads(_unb64(parts[1]))
        except (ValueError, binascii.Error):
            raise TokenRejected("bad payload") from None

    @staticmethod
    def _mac(key: bytes, signed: str) -> bytes:
        return hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()
