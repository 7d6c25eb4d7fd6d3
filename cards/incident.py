"""The incident card: what happened, where, the SLA, and the free slots as one-click buttons.

Slot buttons are `Action.Execute` (Universal Actions) carrying an action id and
the slot id, with an `Action.Submit` fallback for clients without them. At most
eight slots show; the rest sit behind "Show all".
"""

from __future__ import annotations

from typing import Any

from cards.common import card, facts, heading, paragraph
from services import texts
from services.domain.incident_view import (
    IncidentView,
    SlotView,
    claim_line,
    slot_label,
    slots_by_day,
    zone_abbreviation,
)

CLAIM_ACTION = "claim_slot"
VISIBLE_SLOTS = 8


def slot_action(view: IncidentView, slot: SlotView) -> dict[str, Any]:
    data = {
        "action": CLAIM_ACTION,
        "client_id": view.client_id,
        "incident_id": view.incident_id,
        "slot_id": slot.id,
    }
    title = slot_label(slot, view.zone)
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": CLAIM_ACTION,
        "data": data,
        "fallback": {"type": "Action.Submit", "title": title, "data": data},
    }


def _slot_rows(view: IncidentView, slots: tuple[SlotView, ...]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for day, items in slots_by_day(view, slots):
        rows.append({"type": "TextBlock", "text": day, "weight": "Bolder", "spacing": "Medium", "wrap": True})
        rows.append({"type": "ActionSet", "actions": [slot_action(view, s) for s in items]})
    return rows


def incident_card(view: IncidentView) -> dict[str, Any]:
    local = view.local
    details: list[tuple[str, str]] = [
        ("Severity", view.severity),
        ("Room", view.room_name),
        ("Site", view.site_name),
    ]
    if view.sla_deadline is not None:
        deadline = local(view.sla_deadline)
        details.append(
            (
                "Respond by",
                f"{deadline:%a} {deadline.day} {deadline:%b} {deadline:%H:%M} "
                f"{zone_abbreviation(view.sla_deadline, view.zone)}",
            )
        )
    if view.booked_now:
        details.append(("Booked now", view.booked_now))
    if view.booked_next:
        details.append(("Booked next", view.booked_next))
    body: list[dict[str, Any]] = [
        heading(texts.INCIDENT_CARD_TITLE.format(title=view.title)),
        facts(details),
    ]
    claimed = claim_line(view)
    actions: list[dict[str, Any]] = []
    if claimed:
        body.append({"type": "TextBlock", "text": claimed, "wrap": True, "weight": "Bolder", "color": "Good"})
        if view.booking is not None:
            body.append(
                {
                    "type": "TextBlock",
                    "text": texts.BOOKING_LINES.get(view.booking, view.booking),
                    "wrap": True,
                    "color": "Good" if view.booking == "booked" else "Warning",
                }
            )
    elif view.slots:
        body.append(paragraph(texts.INCIDENT_CARD_PICK_SLOT))
        body.extend(_slot_rows(view, view.slots[:VISIBLE_SLOTS]))
        rest = view.slots[VISIBLE_SLOTS:]
        if rest:
            actions.append(
                {
                    "type": "Action.ShowCard",
                    "title": texts.INCIDENT_CARD_SHOW_ALL.format(count=len(view.slots)),
                    "card": card(_slot_rows(view, rest)),
                }
            )
    else:
        body.append(paragraph(texts.INCIDENT_STATUS_LINES.get(view.status, texts.INCIDENT_NO_SLOTS)))
    return card(body, actions)
