"""Setup and admin cards: schema-valid Adaptive Cards 1.5, and what their inputs parse to."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from cards.admin import (
    MANAGE_ACTION,
    manage_card,
    reconnect_card,
    rotate_confirm_card,
    status_card,
    sync_report_card,
)
from cards.setup import (
    NEW_LINK_ACTION,
    STEP_KEY,
    calendar_card,
    mapping_card,
    mapping_saved_card,
    parse_mapping,
    parse_profile,
    parse_suggestion,
    profile_card,
    retry_card,
    scheduling_card,
    secrets_card,
    sign_in_card,
    summary_card,
)
from services import texts
from services.integration.health import Health, LocationHealth, RoomHealth
from tests.cards.schema import schema_errors

PLAN: dict[str, Any] = {
    "location_id": "hq",
    "rooms": [
        {"email": "busy@contoso.com", "name": "Busy Room", "in_places": True},
        {"email": "conf4b@contoso.com", "name": "Conf Rm 4B (12)", "in_places": True},
        {"email": "old@contoso.com", "name": "old@contoso.com", "in_places": False},
    ],
    "rows": [
        {
            "room_id": "hq-busy",
            "room_name": "Busy Room",
            "current": "busy@contoso.com",
            "proposed": "busy@contoso.com",
            "score": None,
        },
        {
            "room_id": "hq-4b",
            "room_name": "Conference Room 4B",
            "current": None,
            "proposed": "conf4b@contoso.com",
            "score": 0.91,
        },
        {
            "room_id": "hq-5a",
            "room_name": "Conference Room 5A",
            "current": None,
            "proposed": None,
            "score": 0.3,
        },
    ],
}
HEALTH = Health(
    client_id="contoso",
    client_name="Contoso Ltd",
    signed_in_upn="pivot@contoso.com",
    connected=True,
    needs_reconnect=False,
    calendar_owner="facilities@contoso.com",
    calendar_id="cal",
    last_sync_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
    locations=(
        LocationHealth(
            "hq",
            "Contoso HQ",
            True,
            (
                RoomHealth("hq-4b", "Conference Room 4B", "conf4b@contoso.com", True),
                RoomHealth("hq-busy", "Busy Room", "busy@contoso.com", False),
                RoomHealth("hq-5a", "Conference Room 5A", None, None),
            ),
            "Acme AV",
            4,
            "Incidents",
        ),
    ),
)
BOOKING_WAITS = dataclasses.replace(
    HEALTH, locations=(dataclasses.replace(HEALTH.locations[0], book_room=True),), can_book_rooms=False
)
PROFILE = {
    "service_provider_id": "acme-av",
    "sla_hours": 4,
    "horizon_hours": 48,
    "min_window_minutes": 30,
    "slot_minutes": 60,
    "teams_channel": None,
    "business_hours": {"mon": ["08:00", "17:00"], "tue": ["08:00", "24:00"], "sat": None},
}


def all_cards() -> dict[str, dict[str, Any]]:
    return {
        "sign_in": sign_in_card("https://x/auth/start?session=s", client_name="C", expires="10:00 UTC"),
        "sign_in_again": sign_in_card(
            "https://x", client_name="C", expires="10:00 UTC", signed_in_upn="p@c.com"
        ),
        "sign_in_booking": sign_in_card(
            "https://x",
            client_name="C",
            expires="10:00 UTC",
            signed_in_upn="p@c.com",
            booking_locations=["HQ"],
            booking_waiting=True,
        ),
        "status_booking": status_card(BOOKING_WAITS),
        "retry": retry_card("mapping"),
        "calendar": calendar_card(
            [{"id": "c1", "name": "Room Bookings", "owner": "f@c.com"}],
            [{"id": "hq", "name": "HQ"}],
            calendar_id="c1",
            errors=["x"],
        ),
        "review": mapping_card(PLAN, location_name="HQ", mode="review"),
        "manual": mapping_card(PLAN, location_name="HQ", mode="manual"),
        "edit": mapping_card(PLAN, location_name="HQ", mode="edit", errors=["e"]),
        "saved": mapping_saved_card(
            mapped=2, total=3, unreadable=[("Busy Room", "busy@contoso.com")], upn=None
        ),
        "scheduling": scheduling_card("HQ", True),
        "profile": profile_card(
            location_name="HQ", values=PROFILE, providers=[{"id": "acme-av", "name": "Acme"}], channels=[]
        ),
        "summary": summary_card([("a", "b")], ["w"]),
        "secrets": secrets_card(client_name="C", webhook_secret="whsec_x", api_key="pvk_y"),
        "manage": manage_card(HEALTH),
        "status": status_card(HEALTH),
        "rotate": rotate_confirm_card("C"),
        "report": sync_report_card(
            {
                "new": [{"email": "n@c.com", "name": "N", "pivot_room": None}],
                "renamed": [{"email": "r@c.com", "old": "R", "name": "R2", "pivot_room": "X"}],
                "removed": [{"email": "d@c.com", "name": "D", "pivot_room": "Y"}],
                "unreadable": [{"email": "u@c.com", "pivot_room": "U"}],
                "calendar_unreadable": True,
            },
            client_name="C",
            upn="p@c.com",
        ),
        "reconnect": reconnect_card("https://x", client_name="C", upn=None, expires="10:00 UTC"),
    }


@pytest.mark.parametrize("name", sorted(all_cards()))
def test_cards_are_schema_valid_and_small(name: str) -> None:
    card = all_cards()[name]
    assert schema_errors(card) == []
    assert len(str(card)) < 28_000


def test_review_preselects_proposals_manual_nothing_edit_the_current_mapping() -> None:
    def values(card: dict[str, Any]) -> list[str]:
        return [node["items"][2]["value"] for node in card["body"] if node.get("type") == "Container"]

    assert values(mapping_card(PLAN, location_name="HQ", mode="review")) == [
        "busy@contoso.com",
        "conf4b@contoso.com",
        "none",
    ]
    assert values(mapping_card(PLAN, location_name="HQ", mode="manual")) == ["none"] * 3
    assert values(mapping_card(PLAN, location_name="HQ", mode="edit")) == ["busy@contoso.com", "none", "none"]
    review = str(mapping_card(PLAN, location_name="HQ", mode="review"))
    assert texts.SETUP_MAP_ROW_PROPOSED.format(room="Conf Rm 4B (12)", percent=91) in review
    assert texts.SETUP_MAP_UNMATCHED_PIVOT.format(rooms="Conference Room 5A") in review
    assert texts.SETUP_MAP_UNMATCHED_CALENDAR.format(rooms="old@contoso.com") in review


def test_parse_mapping_reads_every_row() -> None:
    assert parse_mapping({"map_0": "Busy@Contoso.com", "map_1": "none", "junk": 1}, 3) == {
        "0": "busy@contoso.com",
        "1": None,
        "2": None,
    }


def test_parse_profile() -> None:
    form = {
        "service_provider_id": "acme-av",
        "sla_hours": "2.5",
        "horizon_hours": "72",
        "min_window_minutes": 45,
        "slot_minutes": "30",
        "teams_channel": "none",
        "open_mon": "08:30",
        "close_mon": "17:00",
        "open_tue": "09:00",
        "close_tue": "23:59",
    }
    values, problems = parse_profile(form)
    assert problems == []
    assert values["sla_hours"] == 2.5
    assert (values["horizon_hours"], values["min_window_minutes"], values["slot_minutes"]) == (72, 45, 30)
    assert values["teams_channel"] is None
    assert values["business_hours"]["mon"] == ["08:30", "17:00"]
    assert values["business_hours"]["tue"] == ["09:00", "24:00"]
    assert values["business_hours"]["sun"] is None
    assert values["escalation"] == {"remind_after_minutes": None, "client_after_minutes": None}  # empty: off

    values, problems = parse_profile({**form, "remind_after_minutes": "30", "client_after_minutes": 90})
    assert problems == [] and values["escalation"] == {"remind_after_minutes": 30, "client_after_minutes": 90}
    _, problems = parse_profile({**form, "remind_after_minutes": "0", "client_after_minutes": "soon"})
    assert problems == [
        texts.SETUP_WHOLE_NUMBER.format(field=texts.ESCALATION_FIELD_LABELS["remind_after_minutes"]),
        texts.SETUP_WHOLE_NUMBER.format(field=texts.ESCALATION_FIELD_LABELS["client_after_minutes"]),
    ]

    values, problems = parse_profile({**form, "sla_hours": "", "slot_minutes": "x", "close_wed": "10:00"})
    assert values["sla_hours"] is None
    assert problems == [
        texts.SETUP_BAD_NUMBER.format(field=texts.SETUP_SLOT_LABEL),
        texts.SETUP_HALF_DAY.format(day="Wednesday"),
    ]
    _, problems = parse_profile({**form, "open_thu": "18:00", "close_thu": "09:00", "horizon_hours": "1.5"})
    assert texts.SETUP_CLOSE_BEFORE_OPEN.format(day="Thursday") in problems
    assert texts.SETUP_WHOLE_NUMBER.format(field=texts.SETUP_HORIZON_LABEL) in problems


def test_buttons_outside_the_dialog_carry_registered_actions() -> None:
    cards = all_cards()
    data = [a["data"] for a in cards["sign_in"]["actions"] if a["type"] == "Action.Submit"]
    assert data == [{"action": NEW_LINK_ACTION}]
    steps = [
        a["data"]
        for block in cards["manage"]["body"]
        if block["type"] == "ActionSet"
        for a in block["actions"]
    ]
    assert [d["action"] for d in steps] == [MANAGE_ACTION] * 5
    urls = [a for a in cards["reconnect"]["actions"] if a["type"] == "Action.OpenUrl"]
    assert urls[0]["url"] == "https://x"


def card_text(card: dict[str, Any]) -> str:
    return str(card)


def test_booking_rooms_is_announced_before_sign_in_and_reported_until_granted() -> None:
    plain = card_text(sign_in_card("https://x", client_name="C", expires="10:00 UTC"))
    assert "Calendars.ReadWrite" not in plain
    asks = card_text(
        sign_in_card("https://x", client_name="C", expires="10:00 UTC", booking_locations=["HQ"])
    )
    assert texts.SETUP_SIGNIN_BOOKING.format(locations="HQ") in asks
    waiting = card_text(status_card(BOOKING_WAITS))
    assert texts.BOOKING_NEEDS_SIGN_IN.format(locations="Contoso HQ") in waiting
    assert texts.STATUS_BOOK_ROOM_VALUES["waiting"] in waiting
    assert texts.BOOKING_NEEDS_SIGN_IN.format(locations="Contoso HQ") in card_text(manage_card(BOOKING_WAITS))
    granted = dataclasses.replace(BOOKING_WAITS, can_book_rooms=True)
    assert granted.booking_state(granted.locations[0]) == "on"
    assert "Calendars.ReadWrite" not in card_text(status_card(granted))
    assert HEALTH.booking_state(HEALTH.locations[0]) == "off"


def test_profile_carries_the_book_room_switch() -> None:
    shown = profile_card(location_name="HQ", values={**PROFILE, "book_room": True}, providers=[], channels=[])
    toggle = next(b for b in shown["body"] if b.get("id") == "book_room")
    assert toggle["type"] == "Input.Toggle" and toggle["value"] == "true"
    assert parse_profile({"book_room": "true"})[0]["book_room"] is True
    assert parse_profile({"book_room": "false"})[0]["book_room"] is False
    assert parse_profile({})[0]["book_room"] is False


def _with_suggestions() -> dict[str, Any]:
    rows = [dict(row) for row in PLAN["rows"]]
    rows[2]["suggestions"] = [
        {"email": "old@contoso.com", "score": 0.61},
        {"email": "gone@contoso.com", "score": 0.5},  # no longer listed: not offered
        {"email": "busy@contoso.com", "score": 0.42},
        {"email": "conf4b@contoso.com", "score": 0.4},
    ]
    rows[1]["suggestions"] = [{"email": "old@contoso.com", "score": 0.7}]  # a proposed row shows none
    return {**PLAN, "rows": rows}


def _row_buttons(card: dict[str, Any], index: int) -> list[dict[str, Any]]:
    rows = [node for node in card["body"] if node.get("type") == "Container"]
    return [a for item in rows[index]["items"] if item.get("type") == "ActionSet" for a in item["actions"]]


def test_review_offers_up_to_three_suggestions_per_unmatched_row() -> None:
    card = mapping_card(_with_suggestions(), location_name="HQ", mode="review")
    assert schema_errors(card) == []
    buttons = _row_buttons(card, 2)
    # Busy Room and Conf Rm 4B are chosen in other rows; "gone" is no longer listed.
    assert [b["title"] for b in buttons] == [
        texts.SETUP_MAP_SUGGESTION.format(room="old@contoso.com", percent=61)
    ]
    assert buttons[0]["data"] == {
        STEP_KEY: "mapping",
        "decision": "suggestion",
        "row": 2,
        "email": "old@contoso.com",
    }
    free = mapping_card(
        _with_suggestions(), location_name="HQ", mode="review", selected={"0": None, "1": None}
    )
    assert [b["title"] for b in _row_buttons(free, 2)] == [
        texts.SETUP_MAP_SUGGESTION.format(room="old@contoso.com", percent=61),
        texts.SETUP_MAP_SUGGESTION.format(room="Busy Room", percent=42),
        texts.SETUP_MAP_SUGGESTION.format(room="Conf Rm 4B (12)", percent=40),
    ]  # nothing chosen elsewhere: the best three
    assert _row_buttons(card, 1) == []
    assert _row_buttons(mapping_card(_with_suggestions(), location_name="HQ", mode="manual"), 2) == []
    chosen = mapping_card(
        _with_suggestions(), location_name="HQ", mode="review", selected={"2": "old@contoso.com"}
    )
    assert _row_buttons(chosen, 2) == []  # chosen already: nothing left to suggest


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"row": 2, "email": " Old@Contoso.com "}, ("2", "old@contoso.com")),
        ({"row": 3, "email": "old@contoso.com"}, None),
        ({"row": True, "email": "old@contoso.com"}, None),
        ({"row": "2", "email": "old@contoso.com"}, None),
        ({"row": 0, "email": ""}, None),
        ({}, None),
    ],
)
def test_parse_suggestion(data: dict[str, Any], expected: tuple[str, str] | None) -> None:
    assert parse_suggestion(data, 3) == expected
