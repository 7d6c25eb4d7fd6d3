"""Signing incident webhooks the way pivot does (Standard Webhooks)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from standardwebhooks.webhooks import Webhook


def signed(
    secret: str,
    payload: dict[str, Any] | bytes,
    *,
    msg_id: str | None = None,
    age: timedelta = timedelta(0),
) -> tuple[bytes, dict[str, str]]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    when = datetime.now(UTC) - age
    signature = Webhook(secret).sign(msg_id, when, body.decode())
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }
    return body, headers


def incident(**overrides: Any) -> dict[str, Any]:
    body = {
        "id": "INC-1001",
        "client_id": "contoso",
        "room_id": "hq-4b",
        "triggered_at": "2026-11-24T14:05:00Z",
        "title": "Display offline",
        "severity": "high",
        "description": "Projector shows no signal",
    }
    body.update(overrides)
    return body
