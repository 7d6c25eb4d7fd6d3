"""The incident card: schema-valid Adaptive Card 1.5, under 40 KB with 48 slots, slot
buttons that carry the action id and slot id, and the right text for every outcome."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cards.basics import help_card, welcome_card, whoami_card
from cards.incident import CLAIM_ACTION, VISIBLE_SLOTS, incident_card
from services import texts
from services.domain.incident_view import ClaimView, IncidentView, SlotView
from tests.cards.schema import schema_errors

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # an hour before the first slot


def view(slot_count: int, **overrides: Any) -> IncidentView:
    start = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    slots = tuple(
        SlotView(f"slot-{n:02d}", start + timedelta(hours=n), start + timedelta(hours=n + 1))
        for n in range(slot_count)
    )
    values: dict[str, Any] = {
        "client_id": "contoso",
        "incident_id": "INC-1001",
        "title": "Display offline",
        "severity": "high",
        "room_name": "Conference Room 4B",
        "site_name": "Contoso HQ",
        "zone": NY,
        "status": "slots_found" if slots else "no_slots",
        "sla_deadline": start + timedelta(hours=4),
        "booked_now": "Standup (Bo Organizer)",
        "booked_next": "Design review, 11:00 (Ann)",
        "slots": slots,
    }
    values.update(overrides)
    return IncidentView(**values)


def actions(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            found.append(node)
        for key, value in node.items():
            if key != "fallback":
                found.extend(actions(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(actions(value))
    return found


def texts_of(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            out.append(node["text"])
        if node.get("type") == "FactSet":
            out.extend(f"{f['title']}: {f['value']}" for f in node["facts"])
        for value in node.values():
            out.extend(texts_of(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(texts_of(value))
    return out


@pytest.mark.parametrize("count", [0, 1, 8, 9, 48])
def test_card_is_valid_and_small(count: int) -> None:
    card = incident_card(view(count), now=NOW)
    assert schema_errors(card) == []
    assert card["version"] == "1.5"
    assert len(json.dumps(card).encode()) < 40 * 1024


def test_at_most_eight_slots_visible_and_show_all_has_the_rest() -> None:
    card = incident_card(view(48), now=NOW)
    visible = actions(card["body"])
    assert len(visible) == VISIBLE_SLOTS
    show_all = card["actions"][0]
    assert show_all["type"] == "Action.ShowCard"
    assert show_all["title"] == texts.INCIDENT_CARD_SHOW_ALL.format(count=48)
    # The rest: one compact choice whose id merges `slot_id` into the one button's data.
    choice = show_all["card"]["body"][0]
    assert choice["type"] == "Input.ChoiceSet" and choice["id"] == "slot_id"
    assert choice["value"] == "slot-08"
    assert choice["choices"][0]["title"] == "Tue 24 Nov 17:00–18:00"
    (book,) = actions(show_all["card"])
    assert book["verb"] == CLAIM_ACTION and "slot_id" not in book["data"]
    assert book["data"] == {"action": CLAIM_ACTION, "client_id": "contoso", "incident_id": "INC-1001"}
    assert book["fallback"]["type"] == "Action.Submit" and book["fallback"]["data"] == book["data"]
    ids = [a["data"]["slot_id"] for a in visible] + [c["value"] for c in choice["choices"]]
    assert ids == [f"slot-{n:02d}" for n in range(48)]


def test_slot_buttons_carry_action_and_slot_with_submit_fallback() -> None:
    card = incident_card(view(2), now=NOW)
    first = actions(card["body"])[0]
    assert first["verb"] == CLAIM_ACTION
    assert first["data"] == {
        "action": CLAIM_ACTION,
        "client_id": "contoso",
        "incident_id": "INC-1001",
        "slot_id": "slot-00",
    }
    assert first["fallback"]["type"] == "Action.Submit"
    assert first["fallback"]["data"] == first["data"]
    assert first["title"] == "09:00–10:00"  # 14:00Z in New York, 24-hour local time


def test_slots_grouped_by_local_day_with_zone_abbreviation() -> None:
    lines = texts_of(incident_card(view(12), now=NOW))
    assert "Tue 24 Nov (EST)" in lines
    assert "Respond by: Tue 24 Nov 13:00 EST" in lines
    assert "Booked now: Standup (Bo Organizer)" in lines


@pytest.mark.parametrize("status", ["no_slots", "calendar_unavailable", "unmapped_room", "scheduling_off"])
def test_outcomes_without_slots_say_why(status: str) -> None:
    card = incident_card(view(0, status=status), now=NOW)
    assert texts.INCIDENT_STATUS_LINES[status] in texts_of(card)
    assert actions(card) == []
    assert schema_errors(card) == []


def test_claimed_card_shows_who_and_no_buttons() -> None:
    claimed = view(
        3,
        claim=ClaimView("slot-01", "Alice", "Acme AV", datetime(2026, 11, 24, 13, 0, tzinfo=UTC)),
        status="claimed",
    )
    card = incident_card(claimed, now=NOW)
    assert "Claimed by Alice (Acme AV) — Tue 24 Nov 10:00–11:00 EST" in texts_of(card)
    assert actions(card) == []


def test_basic_cards_are_schema_valid() -> None:
    for card in (
        welcome_card(),
        help_card([("help", "Show what I can do.")], intro="?"),
        whoami_card([{"name": "A", "role": "client_admin", "client": "C", "email": "a@c.example"}], "aad"),
    ):
        assert schema_errors(card) == []


def test_schema_check_catches_a_broken_card() -> None:
    broken = incident_card(view(1), now=NOW)
    broken["body"][0]["type"] = "NoSuchElement"
    del broken["version"]
    assert schema_errors(broken) != []


EVIL = "[x](https://evil.example) **bold**"
EVIL_SHOWN = "\\[x\\](https:\u200b//evil.example) \\*\\*bold\\*\\*"


def test_untrusted_text_is_shown_as_text_never_markdown() -> None:
    hostile = view(
        2,
        title=EVIL,
        room_name="Room _4B_",
        site_name="# HQ",
        booked_now="[Click to verify](https://evil.example) (Eve <eve@evil.example>)",
        booked_next="- www.evil.example, 11:00 (`Mallory`)",
    )
    card = incident_card(hostile)
    lines = texts_of(card)
    assert texts.INCIDENT_CARD_TITLE.format(title=EVIL_SHOWN) in lines
    assert "Room: Room \\_4B\\_" in lines and "Site: \\# HQ" in lines
    assert (
        "Booked now: \\[Click to verify\\](https:\u200b//evil.example) (Eve \\<eve@evil.example\\>)" in lines
    )
    assert "Booked next: \\- www\u200b.evil.example, 11:00 (\\`Mallory\\`)" in lines
    dumped = json.dumps(card, ensure_ascii=False)
    assert "](https://" not in dumped and "**bold**" not in dumped and "www.evil" not in dumped
    assert schema_errors(card) == []
    who = whoami_card(
        [{"name": "**Ada**", "role": "client_admin", "client": "[C](x)", "email": "a_b@x.example"}], "aad"
    )
    assert {"Name: \\*\\*Ada\\*\\*", "Client: \\[C\\](x)", "E-mail: a\\_b@x.example"} <= set(texts_of(who))


def test_respond_by_and_an_sla_breach() -> None:
    open_card = incident_card(view(3), now=NOW)
    assert "Respond by" in json.dumps(open_card) and texts.SLA_BREACHED_LINE not in texts_of(open_card)
    breached = incident_card(view(3, sla_breached_at=datetime(2026, 11, 24, 18, 0, tzinfo=UTC)), now=NOW)
    lines = texts_of(breached)
    assert texts.SLA_BREACHED_LINE in lines
    assert "— SLA breached" in json.dumps(breached, ensure_ascii=False)
    assert len(actions(breached)) == 3  # still open for a claim
    assert schema_errors(breached) == []


def test_a_resolved_incident_offers_nothing() -> None:
    start = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    resolved = view(
        12,
        status="resolved",
        resolved_at=start,
        resolution_note="Display back online",
        cancelled_visit=ClaimView("slot-01", "Sam Provider", "Acme AV", start),
        cancelled_visit_slot=SlotView("slot-01", start, start + timedelta(hours=1)),
        sla_breached_at=start,  # no longer relevant once resolved
    )
    card = incident_card(resolved)
    lines = texts_of(card)
    assert texts.RESOLVED_LINE in lines
    assert texts.RESOLVED_NOTE.format(note="Display back online") in lines
    assert texts.SLA_BREACHED_LINE not in lines
    assert actions(card) == [] and "Action.ShowCard" not in json.dumps(card)
    assert "Sam Provider (Acme AV) — Tue 24 Nov 10:00–11:00 EST" in json.dumps(card, ensure_ascii=False)
    assert schema_errors(card) == []
