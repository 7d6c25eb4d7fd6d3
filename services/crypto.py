"""Secrets at rest: encryption with keys derived from SECRET_KEY, and API key digests.

SECRET_KEY may hold several comma-separated keys, newest first: data encrypted
with an older key still decrypts, and `rotate()` re-encrypts with the newest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.errors import ConfigError, PivotError


class DecryptionFailed(PivotError):
    """Stored ciphertext does not open with any configured key."""

    user_message = "Stored credentials could not be read; an administrator must reconnect."


def _derive(secret: str, purpose: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"pivot-scheduling", info=purpose)
    return hkdf.derive(secret.encode())


def derived_key(secret: str, purpose: str) -> bytes:
    """A 32-byte key for one purpose (keyed hashes), derived from SECRET_KEY."""
    return _derive(secret, b"key:" + purpose.encode())


class SecretBox:
    """Encrypts small secrets (webhook secrets, token caches) for storage."""

    def __init__(self, secret_keys: list[str], purpose: str = "storage") -> None:
        if not secret_keys:
            raise ConfigError("SECRET_KEY is required to store secrets")
        fernets = [
            Fernet(base64.urlsafe_b64encode(_derive(k, b"fernet:" + purpose.encode()))) for k in secret_keys
        ]
        self._box = MultiFernet(fernets)

    def encrypt(self, plaintext: str) -> str:
        return self._box.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._box.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise DecryptionFailed("ciphertext did not decrypt") from None

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt with the newest key."""
        try:
            return self._box.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise DecryptionFailed("ciphertext did not decrypt") from None


def api_key_digest(api_key: str) -> str:
    """SHA-256 hex digest of an API key (keys are random, so no slow hash is needed)."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def digests_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
