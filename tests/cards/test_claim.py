"""The live incident card: schema-valid with `refresh` (Universal Actions), the clicker's
notice, and the release button only for those who may release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cards.claim import MAX_REFRESH_USERS, REFRESH_ACTION, RELEASE_ACTION, live_card
from services import texts
from services.domain.incident_view import ClaimView, IncidentView, SlotView
from tests.bot.activities import execute_verbs
from tests.cards.schema import schema_errors

START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
NOW = START - timedelta(hours=1)


def view(claimed: bool = False) -> IncidentView:
    slots = tuple(
        SlotView(f"s{n}", START + timedelta(hours=n), START + timedelta(hours=n + 1)) for n in range(3)
    )
    claim = ClaimView("s1", "Sam Provider", "Acme AV", START) if claimed else None
    return IncidentView(
        client_id="contoso",
        incident_id="INC-1",
        title="Display offline",
        severity="high",
        room_name="Conference Room 4B",
        site_name="Contoso HQ",
        zone=ZoneInfo("America/New_York"),
        status="claimed" if claimed else "notified",
        slots=slots,
        claim=claim,
    )


def test_open_card_refreshes_for_its_viewers() -> None:
    card = live_card(view(), now=NOW, user_ids=["29:sam", "29:sam", "", "29:priya"])
    assert schema_errors(card) == []
    assert card["refresh"] == {
        "type": "Refresh",
        "action": {
            "type": "Action.Execute",
            "title": texts.REFRESH_CARD,
            "verb": REFRESH_ACTION,
            "data": {"action": REFRESH_ACTION, "client_id": "contoso", "incident_id": "INC-1"},
        },
        "userIds": ["29:sam", "29:priya"],
    }
    assert execute_verbs(card) == ["claim_slot"] * 3
    assert "userIds" not in live_card(view(), now=NOW)["refresh"]
    many = live_card(view(), now=NOW, user_ids=[f"29:u{n}" for n in range(100)])
    assert len(many["refresh"]["userIds"]) == MAX_REFRESH_USERS


def test_claimed_card_for_the_claimer_and_for_others() -> None:
    mine = live_card(view(claimed=True), now=NOW, can_release=True, notice=texts.CLAIM_DONE, good_news=True)
    assert schema_errors(mine) == []
    assert mine["body"][1] == {
        "type": "TextBlock",
        "text": texts.CLAIM_DONE,
        "wrap": True,
        "weight": "Bolder",
        "color": "Good",
    }
    assert "Claimed by Sam Provider (Acme AV) — Tue 24 Nov 10:00–11:00 EST" in str(mine)
    assert execute_verbs(mine) == [RELEASE_ACTION]
    release = mine["actions"][-1]
    assert release["fallback"] == {
        "type": "Action.Submit",
        "title": texts.RELEASE_BUTTON,
        "data": release["data"],
    }
    theirs = live_card(view(claimed=True), now=NOW, notice="Sorry, already claimed.")
    assert schema_errors(theirs) == []
    assert theirs["body"][1]["color"] == "Attention"
    assert execute_verbs(theirs) == []
    assert (
        execute_verbs(live_card(view(), now=NOW, can_release=True)) == ["claim_slot"] * 3
    )  # nothing to release
