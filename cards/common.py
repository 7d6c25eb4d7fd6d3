"""Small building blocks shared by every card family (Adaptive Cards 1.5)."""

from __future__ import annotations

import re
from typing import Any

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"


_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")
_LIST_MARKER = re.compile(r"^([ \t]*)(?:([-+])|(\d+)\.)(?=\s)", re.MULTILINE)
_LINK_START = re.compile(r"(?i)(:)(//)|\b(www)(\.)")
_ZWSP = "\u200b"


def plain(value: str | None) -> str:
    """Untrusted text (titles, subjects, names, rooms) for a card's Markdown, shown as text:
    Markdown-significant characters escaped, and URLs broken (a zero-width space after
    `:` of `://` and after `www`) so a client never forms a link from them."""
    if not value:
        return value or ""
    out = _MARKDOWN.sub(r"\\\1", value)
    out = _LIST_MARKER.sub(lambda m: m[1] + ("\\" + m[2] if m[2] else m[3] + "\\."), out)
    return _LINK_START.sub(lambda m: (m[1] or m[3]) + _ZWSP + (m[2] or m[4]), out)


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        out["actions"] = actions
    return out


def heading(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "size": "Medium", "wrap": True}


def paragraph(text: str, *, subtle: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "TextBlock", "text": text, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    return block


def facts(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in pairs]}
