"""Cards that fit their reader: in a 1:1 chat exactly the actions that reader's role may
use; in a channel the buttons and `refresh` for at most 60 viewers; the 48-hour picture
as an Image with its text alternative; Adaptive Cards 1.5 schema-valid and under Teams'
~28 KB limit with 48 slots and the picture; the same claimable slots as the e-mail."""

from __future__ import annotations

import base64
import io
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from cards.claim import MAX_REFRESH_USERS, REFRESH_ACTION, RELEASE_ACTION, live_card
from cards.incident import CLAIM_ACTION
from services import texts
from services.domain.incident_view import audience_for_role
from services.domain.time_format import style_for
from services.notify.email_content import EmailRenderer, MailTo
from tests.bot.activities import execute_verbs
from tests.cards.schema import schema_errors
from tests.cards.test_incident import texts_of
from tests.incident_views_support import ALWAYS_OPEN, api_json, busy, view_from_api

NY = ZoneInfo("America/New_York")
TRIGGER = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)  # Tue 09:05 EST; SLA 13:05 EST
EVENTS = [busy(datetime(2026, 11, 24, 15, 0, tzinfo=UTC), 2.5)]
TEAMS_CARD_LIMIT = 28 * 1024


def open_view(**kw: object):  # type: ignore[no-untyped-def]
    return view_from_api(TRIGGER, NY, api_json(TRIGGER, NY, EVENTS), **kw)  # type: ignore[arg-type]


def card_for(role: str | None, *, claimed: bool = False, can_release: bool = False, now: datetime = TRIGGER):
    view = open_view(claim_index=1 if claimed else None)
    return live_card(
        view, audience=audience_for_role(role), can_release=can_release, now=now, user_ids=["29:reader"]
    )


@pytest.mark.parametrize(
    ("role", "claimed", "can_release", "verbs"),
    [
        ("service_provider", False, False, {CLAIM_ACTION}),
        ("subcontractor", False, False, {CLAIM_ACTION}),
        ("client_admin", False, False, set()),
        ("client_user", False, False, set()),
        (None, False, False, {CLAIM_ACTION}),  # a channel: anyone may click, the server decides
        ("service_provider", True, True, {RELEASE_ACTION}),  # the claimer
        ("service_provider", True, False, set()),  # another provider user
        ("client_admin", True, True, {RELEASE_ACTION}),
        ("client_user", True, False, set()),
    ],
)
def test_each_reader_gets_exactly_the_actions_they_may_use(
    role: str | None, claimed: bool, can_release: bool, verbs: set[str]
) -> None:
    card = card_for(role, claimed=claimed, can_release=can_release)
    assert schema_errors(card) == []
    assert set(execute_verbs(card)) == verbs
    assert card["refresh"]["action"]["verb"] == REFRESH_ACTION
    if verbs == {CLAIM_ACTION}:
        assert texts.INCIDENT_CARD_PICK_SLOT in texts_of(card)


def test_a_client_reader_sees_who_is_expected_to_act_and_by_when() -> None:
    lines = texts_of(card_for("client_admin"))
    assert "Waiting for Acme AV to choose a slot, respond by 13:05 EST." in lines
    assert texts.INCIDENT_CARD_PICK_SLOT not in lines
    claimed = texts_of(card_for("client_user", claimed=True))
    assert any(line.startswith("Claimed by Sam Provider (Acme AV) — Tue 24 Nov") for line in claimed)
    us = live_card(
        open_view(), audience=audience_for_role("client_user"), now=TRIGGER, style=style_for("en-US")
    )
    assert "Waiting for Acme AV to choose a slot, respond by 1:05 PM EST." in texts_of(us)


def test_a_channel_copy_refreshes_for_at_most_60_viewers() -> None:
    card = live_card(open_view(), now=TRIGGER, user_ids=[f"29:u{n}" for n in range(90)])
    assert len(card["refresh"]["userIds"]) == MAX_REFRESH_USERS
    assert set(execute_verbs(card)) == {CLAIM_ACTION}


def test_the_picture_is_an_image_with_a_text_alternative() -> None:
    card = card_for("client_user")
    image = next(b for b in card["body"] if b["type"] == "Image")
    assert image["url"].startswith("data:image/png;base64,")
    png = Image.open(io.BytesIO(base64.b64decode(image["url"].split(",", 1)[1])))
    assert png.format == "PNG" and png.width <= 1024
    assert image["altText"].startswith("Availability of Conference Room 4B, Tue 24 Nov 09:05 EST")


def test_48_slots_and_the_picture_fit_teams_limit() -> None:
    data = api_json(TRIGGER, NY, [], ALWAYS_OPEN)
    assert len(data["slots"]) >= 47
    view = view_from_api(TRIGGER, NY, data, hours=ALWAYS_OPEN)
    view = replace(view, slots=tuple(replace(s, id=uuid.uuid4().hex) for s in view.slots))  # as stored
    for role in ("service_provider", None, "client_admin"):
        card = live_card(
            view,
            audience=audience_for_role(role),
            now=TRIGGER,
            user_ids=[f"29:{'x' * 86}{n:02d}" for n in range(60)],
        )
        assert schema_errors(card) == []
        size = len(json.dumps(card).encode())
        assert size < TEAMS_CARD_LIMIT, size


def test_a_started_slot_is_never_offered_and_card_and_email_agree() -> None:
    view = open_view()
    later = view.slots[1].start + timedelta(minutes=1)  # the first two slots have started
    card = live_card(view, audience=audience_for_role("service_provider"), now=later)
    offered = offered_ids(card)
    assert offered == [s.id for s in view.slots[2:]]
    urls = {s.id: f"https://pivot.example/claim/{s.id}" for s in view.slots}
    to = MailTo("sam@acme.example", "Sam", "service_provider", "Contoso")
    context = EmailRenderer().context(view, event="new_incident", to=to, claim_urls=urls, now=later)
    mailed = [slot["url"].rsplit("/", 1)[1] for day in context["days"] for slot in day["slots"]]
    assert mailed == offered


def test_when_the_last_slot_has_started_both_say_so() -> None:
    view = open_view()
    after = view.slots[-1].start + timedelta(minutes=1)
    card = live_card(view, audience=audience_for_role("service_provider"), now=after)
    assert execute_verbs(card) == []
    assert texts.INCIDENT_SLOTS_ALL_STARTED in texts_of(card)
    to = MailTo("sam@acme.example", "Sam", "service_provider", "Contoso")
    context = EmailRenderer().context(view, event="new_incident", to=to, now=after)
    assert context["days"] == [] and context["status_line"] == texts.INCIDENT_SLOTS_ALL_STARTED


def test_times_follow_the_readers_locale() -> None:
    view = open_view()
    us = live_card(
        view, audience=audience_for_role("service_provider"), now=TRIGGER, style=style_for("en-US")
    )
    gb = live_card(
        view, audience=audience_for_role("service_provider"), now=TRIGGER, style=style_for("en-GB")
    )
    house = live_card(
        view, audience=audience_for_role("service_provider"), now=TRIGGER, style=style_for(None)
    )
    assert _claims(us)[0]["title"] == "12:30 PM–1:30 PM"
    assert "Tue, Nov 24 (EST)" in texts_of(us)
    assert _claims(gb)[0]["title"] == "12:30–13:30"
    assert "Tue, 24 Nov (EST)" in texts_of(gb)
    assert _claims(house)[0]["title"] == "12:30–13:30"
    assert "Respond by: Tue 24 Nov 13:05 EST" in texts_of(house)
    assert style_for("xx-nonsense") == style_for(None)


def _claims(card: dict) -> list[dict]:  # type: ignore[type-arg]
    found: list[dict] = []  # type: ignore[type-arg]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("verb") == CLAIM_ACTION and node.get("type") == "Action.Execute":
                found.append(node)
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def offered_ids(card: dict) -> list[str]:  # type: ignore[type-arg]
    """Slot ids a card offers: its slot buttons, then the choices behind "Show all"."""
    ids = [a["data"]["slot_id"] for a in _claims(card) if "slot_id" in a["data"]]
    for action in card.get("actions", []):
        if action["type"] == "Action.ShowCard":
            ids += [c["value"] for c in action["card"]["body"][0]["choices"]]
    return ids
