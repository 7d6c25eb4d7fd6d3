"""Builders for Teams-shaped activities, as the Teams channel posts them."""

from __future__ import annotations

import uuid
from typing import Any

TENANT = "11111111-2222-4333-8444-555555555555"
BOT = {"id": "28:bot-test", "name": "pivot Scheduling"}


def activity(
    kind: str,
    *,
    user_id: str = "29:ada",
    aad: str | None = "a0000000-0000-4000-8000-0000000000a1",
    conversation_id: str = "a:personal-ada",
    conversation_type: str = "personal",
    service_url: str = "http://127.0.0.1:9/",
    expect_replies: bool = False,
    tenant: str = TENANT,
    **extra: Any,
) -> dict[str, Any]:
    frm: dict[str, Any] = {"id": user_id, "name": "Test User"}
    if aad:
        frm["aadObjectId"] = aad
    body: dict[str, Any] = {
        "type": kind,
        "id": str(uuid.uuid4()),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": frm,
        "recipient": BOT,
        "conversation": {"id": conversation_id, "conversationType": conversation_type, "tenantId": tenant},
        "channelData": {"tenant": {"id": tenant}},
        "locale": "en-US",
    }
    if expect_replies:
        body["deliveryMode"] = "expectReplies"
    body.update(extra)
    return body


def message(text: str, **kwargs: Any) -> dict[str, Any]:
    return activity("message", text=text, **kwargs)


def card_texts(reply: dict[str, Any]) -> list[str]:
    """Every text in a reply: its text and every TextBlock / Fact of its cards."""
    out = [reply["text"]] if reply.get("text") else []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                out.append(node["text"])
            if node.get("type") == "FactSet":
                out.extend(f"{f['title']}: {f['value']}" for f in node["facts"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(reply.get("attachments", []))
    return out


def execute_verbs(card: dict[str, Any]) -> list[str]:
    """Verbs of a card's Action.Execute buttons, in order (fallbacks and `refresh` left out)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node["verb"])
            for key, value in node.items():
                if key not in ("fallback", "refresh"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found
