"""The notification preferences card: a toggle per channel and per event."""

from __future__ import annotations

from typing import Any

from cards.common import card, heading, paragraph
from services import texts

SAVE_ACTION = "save_preferences"
EVENT_LABELS = {
    "new_incident": texts.PREFS_EVENT_NEW,
    "slot_claimed": texts.PREFS_EVENT_CLAIMED,
    "slot_released": texts.PREFS_EVENT_RELEASED,
}


def _toggle(input_id: str, title: str, value: bool) -> dict[str, Any]:
    return {
        "type": "Input.Toggle",
        "id": input_id,
        "title": title,
        "value": "true" if value else "false",
        "valueOn": "true",
        "valueOff": "false",
    }


def preferences_card(prefs: dict[str, Any], *, saved: bool = False) -> dict[str, Any]:
    body: list[dict[str, Any]] = [heading(texts.PREFS_TITLE)]
    if saved:
        body.append({"type": "TextBlock", "text": texts.PREFS_SAVED, "color": "Good", "wrap": True})
    body.append(paragraph(texts.PREFS_CHANNELS, subtle=True))
    body.append(_toggle("email", texts.PREFS_EMAIL, prefs["email"]))
    body.append(_toggle("teams", texts.PREFS_TEAMS, prefs["teams"]))
    body.append(paragraph(texts.PREFS_EVENTS, subtle=True))
    for event, label in EVENT_LABELS.items():
        body.append(_toggle(f"event_{event}", label, prefs["events"].get(event, True)))
    data = {"action": SAVE_ACTION}
    return card(
        body,
        [
            {
                "type": "Action.Execute",
                "title": texts.PREFS_SAVE,
                "verb": SAVE_ACTION,
                "data": data,
                "fallback": {"type": "Action.Submit", "title": texts.PREFS_SAVE, "data": data},
            }
        ],
    )


def parse_preferences(data: dict[str, Any]) -> dict[str, Any] | None:
    """The submitted toggles as preferences; None when the submission is malformed."""

    def flag(key: str) -> bool | None:
        value = data.get(key)
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        return None

    email, teams = flag("email"), flag("teams")
    events = {event: flag(f"event_{event}") for event in EVENT_LABELS}
    if email is None or teams is None or any(v is None for v in events.values()):
        return None
    return {"email": email, "teams": teams, "events": events}
