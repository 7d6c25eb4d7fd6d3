"""A client's stored webhook secret: the column values that replace it, keeping the previous one
verifying for `WEBHOOK_SECRET_OVERLAP` (DESIGN 3.3) so deliveries in flight are not refused.

Used by the directory import (pivot sends a new secret) and by `rotate-secrets`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.crypto import SecretBox

WEBHOOK_SECRET_OVERLAP = timedelta(hours=24)


def webhook_secret_change(
    box: SecretBox, new_secret: str, previous_enc: Any, now: datetime
) -> dict[str, Any]:
    """Column values replacing a client's webhook secret, keeping the previous one for the overlap.

    `previous_enc` is the stored ciphertext (or a SQL expression for it), None when there is none."""
    values: dict[str, Any] = {"webhook_secret_enc": box.encrypt(new_secret)}
    if previous_enc is not None:
        values["previous_webhook_secret_enc"] = previous_enc
        values["previous_webhook_secret_until"] = now + WEBHOOK_SECRET_OVERLAP
    return values
