"""The incident card: what happened, where, the SLA, the room's next 48 hours as a
picture, and — for those who may claim — the free slots as one-click buttons.

Who reads the copy decides what it offers (`services.incident_view`): a
service-provider or subcontractor user gets the slot buttons; a client admin or
user the status line ("Waiting for Acme AV to choose a slot, respond by
18:09 EST"); a channel post the buttons (anyone may click; the server decides).
Only claimable slots are offered: a slot that has started is left out, as in
the e-mail. Slot buttons are `Action.Execute` (Universal Actions) carrying an
action id and the slot id, with an `Action.Submit` fallback for clients without
them. At most eight slots show; the rest sit behind "Show all".
"""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cards.common import card, facts, heading, paragraph, plain
from services import texts
from services.domain import availability_picture
from services.domain.incident_view import (
    AUDIENCE_CHANNEL,
    AUDIENCE_CLIENT,
    IncidentView,
    SlotView,
    claimable_slots,
    slot_label,
    slots_by_day,
    status_line,
)
from services.domain.time_format import HOUSE_STYLE, TimeStyle, zone_abbreviation

CLAIM_ACTION = "claim_slot"
VISIBLE_SLOTS = 8


def slot_action(view: IncidentView, slot: SlotView, style: TimeStyle = HOUSE_STYLE) -> dict[str, Any]:
    data = {
        "action": CLAIM_ACTION,
        "client_id": view.client_id,
        "incident_id": view.incident_id,
        "slot_id": slot.id,
    }
    title = slot_label(slot, view.zone, style)
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": CLAIM_ACTION,
        "data": data,
        "fallback": {"type": "Action.Submit", "title": title, "data": data},
    }


def _slot_rows(view: IncidentView, slots: tuple[SlotView, ...], style: TimeStyle) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for day, items in slots_by_day(view, slots, style):
        rows.append({"type": "TextBlock", "text": day, "weight": "Bolder", "spacing": "Medium", "wrap": True})
        rows.append({"type": "ActionSet", "actions": [slot_action(view, s, style) for s in items]})
    return rows


def later_slots_card(view: IncidentView, slots: tuple[SlotView, ...], style: TimeStyle) -> dict[str, Any]:
    """The slots after the first eight: one compact choice and one button. The choice's
    id is `slot_id`, so Teams merges the chosen slot into the button's data and the
    claim arrives exactly as from a slot button (a list of up to 40 more buttons would
    not fit Teams' 28 KB message limit beside the picture)."""
    data = {"action": CLAIM_ACTION, "client_id": view.client_id, "incident_id": view.incident_id}
    choices = [
        {"title": f"{style.day(s.start, view.zone)} {slot_label(s, view.zone, style)}", "value": s.id}
        for s in slots
    ]
    return card(
        [
            {
                "type": "Input.ChoiceSet",
                "id": "slot_id",
                "label": texts.INCIDENT_CARD_LATER_SLOTS.format(
                    zone=zone_abbreviation(slots[0].start, view.zone)
                ),
                "style": "compact",
                "isRequired": True,
                "errorMessage": texts.INCIDENT_CARD_CHOOSE_SLOT,
                "value": slots[0].id,
                "choices": choices,
            }
        ],
        [
            {
                "type": "Action.Execute",
                "title": texts.INCIDENT_CARD_BOOK_CHOSEN,
                "verb": CLAIM_ACTION,
                "data": data,
                "fallback": {"type": "Action.Submit", "title": texts.INCIDENT_CARD_BOOK_CHOSEN, "data": data},
            }
        ],
    )


def picture_block(view: IncidentView, now: datetime, style: TimeStyle = HOUSE_STYLE) -> dict[str, Any] | None:
    """The 48-hour picture as an `Image` with a data URI and its text alternative."""
    picture = availability_picture.render(view, now, style)
    if picture is None:
        return None
    return {
        "type": "Image",
        "url": "data:image/png;base64," + base64.b64encode(picture.png).decode("ascii"),
        "altText": picture.alt_text,
        "size": "Stretch",
        "spacing": "Medium",
    }


def incident_card(
    view: IncidentView,
    *,
    audience: str = AUDIENCE_CHANNEL,
    style: TimeStyle = HOUSE_STYLE,
    now: datetime | None = None,
    with_picture: bool = True,
) -> dict[str, Any]:
    moment = now or datetime.now(UTC)
    details: list[tuple[str, str]] = [
        ("Severity", view.severity),
        ("Room", plain(view.room_name)),
        ("Site", plain(view.site_name)),
    ]
    if view.sla_deadline is not None:
        when = style.when(view.sla_deadline, view.zone)
        details.append(
            (texts.RESPOND_BY, texts.SLA_BREACHED_FACT.format(deadline=when) if view.sla_breached else when)
        )
    if view.booked_now:
        details.append(("Booked now", plain(view.booked_now)))
    if view.booked_next:
        details.append(("Booked next", plain(view.booked_next)))
    body: list[dict[str, Any]] = [
        heading(texts.INCIDENT_CARD_TITLE.format(title=plain(view.title))),
        facts(details),
    ]
    if with_picture:
        picture = picture_block(view, moment, style)
        if picture is not None:
            body.append(picture)
    line = status_line(_names_escaped(view), audience, moment, style)
    actions: list[dict[str, Any]] = []
    if view.resolved:
        body.extend(_resolved_rows(view, style))
        return card(body, actions)
    if view.sla_breached:
        body.append(
            {
                "type": "TextBlock",
                "text": texts.SLA_BREACHED_LINE,
                "wrap": True,
                "weight": "Bolder",
                "color": "Attention",
            }
        )
    offered = claimable_slots(view, moment) if audience != AUDIENCE_CLIENT else ()
    if view.claim is not None:
        body.append(
            {"type": "TextBlock", "text": line, "wrap": True, "weight": "Bolder", "color": "Good"}
        )
        if view.booking is not None:
            body.append(
                {
                    "type": "TextBlock",
                    "text": texts.BOOKING_LINES.get(view.booking, view.booking),
                    "wrap": True,
                    "color": "Good" if view.booking == "booked" else "Warning",
                }
            )
    elif offered:
        body.append(paragraph(line))
        body.extend(_slot_rows(view, offered[:VISIBLE_SLOTS], style))
        rest = offered[VISIBLE_SLOTS:]
        if rest:
            actions.append(
                {
                    "type": "Action.ShowCard",
                    "title": texts.INCIDENT_CARD_SHOW_ALL.format(count=len(offered)),
                    "card": later_slots_card(view, rest, style),
                }
            )
    else:
        body.append(paragraph(line))
    return card(body, actions)


def _names_escaped(view: IncidentView) -> IncidentView:
    """The view with its untrusted names (provider, claimer) escaped for Markdown, so the status
    line built from it goes into the card as is: escaping the whole line would also escape
    texts.py's own wording (a backslash before each backtick of `manage`)."""
    claim = view.claim
    if claim is not None:
        provider = plain(claim.provider_name) if claim.provider_name else claim.provider_name
        claim = replace(claim, claimer_name=plain(claim.claimer_name), provider_name=provider)
    provider_name = plain(view.provider_name) if view.provider_name else view.provider_name
    return replace(view, claim=claim, provider_name=provider_name)


def _resolved_rows(view: IncidentView, style: TimeStyle = HOUSE_STYLE) -> list[dict[str, Any]]:
    """ "Resolved — no visit needed", pivot's note, and the visit that is no longer needed."""
    rows: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": texts.RESOLVED_LINE, "wrap": True, "weight": "Bolder", "color": "Good"}
    ]
    if view.resolution_note:
        rows.append(paragraph(texts.RESOLVED_NOTE.format(note=plain(view.resolution_note))))
    slot = view.cancelled_visit_slot
    if view.cancelled_visit is not None and slot is not None:
        who = view.cancelled_visit.claimer_name + (
            f" ({view.cancelled_visit.provider_name})" if view.cancelled_visit.provider_name else ""
        )
        when = HOUSE_STYLE.day_span(slot.start, slot.end, view.zone)
        rows.append(facts([(texts.RESOLVED_VISIT_CANCELLED, f"{plain(who)} — {when}")]))
    return rows
