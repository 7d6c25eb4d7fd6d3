"""The incident card as a live card: the current state for whoever looks at it.

Built on cards.incident: adds a notice for the clicker (what just happened),
a release button for the people who may release the claim, and `refresh`
(Universal Actions), so a viewer opening an old copy — in a chat or a channel —
gets the current state from the bot (`refresh_incident`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cards.incident import incident_card
from services import texts
from services.domain.incident_view import AUDIENCE_CHANNEL, MAX_REFRESH_USERS, IncidentView
from services.domain.time_format import HOUSE_STYLE, TimeStyle

REFRESH_ACTION = "refresh_incident"
RELEASE_ACTION = "release_slot"


def _data(view: IncidentView, action: str) -> dict[str, Any]:
    return {"action": action, "client_id": view.client_id, "incident_id": view.incident_id}


def live_card(
    view: IncidentView,
    *,
    user_ids: Sequence[str] = (),
    can_release: bool = False,
    notice: str | None = None,
    good_news: bool = False,
    audience: str = AUDIENCE_CHANNEL,
    style: TimeStyle = HOUSE_STYLE,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The incident card for one audience with `refresh`, an optional notice and, when
    allowed, the release button. `user_ids` (at most 60 kept) are who Teams refreshes
    the copy for automatically; each of them gets their own view back."""
    card = incident_card(view, audience=audience, style=style, now=now)
    if notice:
        card["body"].insert(
            1,
            {
                "type": "TextBlock",
                "text": notice,
                "wrap": True,
                "weight": "Bolder",
                "color": "Good" if good_news else "Attention",
            },
        )
    if view.claim is not None and can_release:
        data = _data(view, RELEASE_ACTION)
        card.setdefault("actions", []).append(
            {
                "type": "Action.Execute",
                "title": texts.RELEASE_BUTTON,
                "verb": RELEASE_ACTION,
                "data": data,
                "fallback": {"type": "Action.Submit", "title": texts.RELEASE_BUTTON, "data": data},
            }
        )
    refresh: dict[str, Any] = {
        "type": "Refresh",
        "action": {
            "type": "Action.Execute",
            "title": texts.REFRESH_CARD,
            "verb": REFRESH_ACTION,
            "data": _data(view, REFRESH_ACTION),
        },
    }
    ids = list(dict.fromkeys(u for u in user_ids if u))[:MAX_REFRESH_USERS]
    if ids:
        refresh["userIds"] = ids
    card["refresh"] = refresh
    return card
