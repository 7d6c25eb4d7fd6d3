"""Claiming from the Teams card over real HTTP to `/api/messages` (Action.Execute invokes
and the Action.Submit fallback), with the Bot Connector stand-in receiving the in-place
card updates: the clicker's answer, refusals, resends, refresh and release."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

import tests.bot.chat as chat
from api.keys import SERVICES
from cards.claim import REFRESH_ACTION, RELEASE_ACTION
from cards.incident import CLAIM_ACTION
from services import texts
from services.claims.service import ClaimService
from services.store.models import Incident, Slot
from services.store.notification_models import Notification
from tests.bot.activities import activity, card_texts, execute_verbs
from tests.bot.channel_stub import CALLS
from tests.bot.chat import say, start
from tests.claims_support import (
    ADA_AAD,
    PRIYA_AAD,
    SAM_AAD,
    RoomCalendar,
    assign_acme,
    claim_directory,
    graph_event,
    next_weekday_at,
    seed_incident,
)
from tests.conftest import make_settings

SAM = {"user_id": "29:sam", "aad": SAM_AAD, "conversation_id": "a:personal-sam"}
PRIYA = {"user_id": "29:priya", "aad": PRIYA_AAD, "conversation_id": "a:personal-priya"}
ADA = {"user_id": "29:ada", "aad": ADA_AAD, "conversation_id": "a:personal-ada"}
STRANGER = {"user_id": "29:stranger", "aad": "f0000000-0000-4000-8000-0000000000ff"}
CHANNEL = "19:incidents@thread.tacv2"


FIRST = next_weekday_at(14)  # 09:00 in New York (10:00 in summer): slots as the engine makes them


@pytest.fixture
def calendar() -> RoomCalendar:
    return RoomCalendar()


@pytest.fixture
async def client(aiohttp_client: Any, database_url: str, calendar: RoomCalendar) -> TestClient:
    client = await start(aiohttp_client, make_settings(database_url, JOBS_POLL_SECONDS=0.05))
    services = client.app[SERVICES]
    await services.directory.import_document(claim_directory())
    await services.integration.apply(assign_acme())
    await seed_incident(services.db, first_slot=FIRST, triggered_at=FIRST - timedelta(hours=1))
    services.claims = ClaimService(services.db, calendar)  # the room calendar, without Graph
    return client


def data(action: str, slot: str | None = None) -> dict[str, str]:
    out = {"action": action, "client_id": "contoso", "incident_id": "INC-1"}
    if slot:
        out["slot_id"] = slot
    return out


async def invoke(
    client: TestClient, verb: str, payload: dict[str, str], who: dict[str, str]
) -> dict[str, Any]:
    body = activity(
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": payload}},
        **who,
    )
    assert chat.CHANNEL is not None
    body["serviceUrl"] = chat.CHANNEL.url
    response = await client.post("/api/messages", json=body)
    assert response.status == 200, await response.text()
    reply = await response.json()
    assert reply["type"] == "application/vnd.microsoft.card.adaptive"
    return dict(reply["value"])


def texts_of(card: dict[str, Any]) -> list[str]:
    return card_texts({"attachments": [card]})


def claimed_line(card: dict[str, Any]) -> str:
    return next(t for t in texts_of(card) if t.startswith("Claimed by "))


async def status(client: TestClient) -> str:
    async with client.app[SERVICES].db.session() as session:
        incident = await session.get(Incident, ("contoso", "INC-1"))
        assert incident is not None
        return incident.status


async def test_a_provider_claims_with_one_click(client: TestClient) -> None:
    card = await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s1"), SAM)
    lines = texts_of(card)
    assert texts.CLAIM_DONE in lines
    assert claimed_line(card).startswith("Claimed by Sam Provider (Acme AV) — ")
    assert execute_verbs(card) == [RELEASE_ACTION]  # no slot buttons any more; Sam may release
    assert card["refresh"]["action"]["verb"] == REFRESH_ACTION
    assert card["refresh"]["userIds"] == ["29:sam"]
    assert await status(client) == "claimed"
    again = await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s1"), SAM)  # Teams resends
    assert texts_of(again) == lines
    body = await client.app[SERVICES].claims.claim_json("contoso", "INC-1")
    assert body is not None and body["user_id"] == "u-sam" and body["slot"]["id"] == "inc-1-s1"


async def test_the_second_provider_learns_who_won(client: TestClient) -> None:
    await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s0"), SAM)
    card = await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s2"), PRIYA)
    notice = texts_of(card)[1]
    assert notice.startswith("Sorry, this incident is already claimed by Sam Provider (Acme AV) — ")
    assert execute_verbs(card) == []  # Priya may not release Sam's claim


async def test_client_users_and_strangers_are_refused_and_nothing_changes(client: TestClient) -> None:
    card = await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s0"), ADA)
    assert texts.CLAIM_NOT_ALLOWED.format(site="Contoso HQ") in texts_of(card)
    card = await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s0"), STRANGER)
    assert texts_of(card) == [texts.CARD_NOT_FOR_YOU]  # names nothing of the incident
    assert await status(client) == "notified"
    assert await client.app[SERVICES].claims.active_claim("contoso", "INC-1") is None
    broken = await invoke(client, CLAIM_ACTION, {"action": CLAIM_ACTION}, SAM)
    assert texts_of(broken) == [texts.CLAIM_BAD_BUTTON]


async def test_action_submit_fallback_claims_too(client: TestClient) -> None:
    out = await say(client, activity("message", text="", value=data(CLAIM_ACTION, "inc-1-s0"), **SAM))
    assert len(out) == 1
    lines = card_texts(out[0])
    assert texts.CLAIM_DONE in lines
    assert any(line.startswith("Claimed by Sam Provider (Acme AV)") for line in lines)


async def posted_card(
    client: TestClient, recipient: str, user_id: str | None, conversation: str, activity_id: str
) -> None:
    async with client.app[SERVICES].db.session() as session:
        session.add(
            Notification(
                client_id="contoso",
                incident_id="INC-1",
                event="new_incident",
                channel="teams",
                recipient=recipient,
                recipient_user_id=user_id,
                recipient_role="channel" if user_id is None else "service_provider",
                status="sent",
                conversation_id=conversation,
                activity_id=activity_id,
            )
        )


async def updates(expected: int, timeout: float = 10.0) -> dict[str, dict[str, Any]]:
    assert chat.CHANNEL is not None
    deadline = time.monotonic() + timeout
    while True:
        found = {body["_activity"]: body for kind, body in chat.CHANNEL.server.app[CALLS] if kind == "update"}
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.05)


async def test_every_posted_copy_is_updated_in_place(client: TestClient) -> None:
    channel = {"conversation_id": CHANNEL, "conversation_type": "channel"}
    await say(
        client,
        activity("installationUpdate", action="add", channelData={"team": {"id": "19:team"}}, **channel),
    )
    await say(client, activity("installationUpdate", action="add", **SAM))  # Sam's 1:1 chat is known
    await posted_card(client, "channel:" + CHANNEL, None, CHANNEL, "act-channel")
    await posted_card(client, "user:contoso/u-sam", "u-sam", "a:personal-sam", "act-sam")
    await posted_card(
        client, "user:contoso/u-priya", "u-priya", "a:1on1-priya", "act-priya"
    )  # bot-opened chat
    await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s1"), SAM)
    found = await updates(3)
    assert set(found) == {"act-channel", "act-sam", "act-priya"}
    assert {found[a]["_conversation"] for a in found} == {CHANNEL, "a:personal-sam", "a:1on1-priya"}
    cards = {a: found[a]["attachments"][0]["content"] for a in found}
    for card in cards.values():
        assert claimed_line(card).startswith("Claimed by Sam Provider (Acme AV) — ")
        assert card["refresh"]["action"]["verb"] == REFRESH_ACTION
    assert execute_verbs(cards["act-sam"]) == [RELEASE_ACTION]  # Sam's own copy lets him release
    assert execute_verbs(cards["act-priya"]) == []
    assert execute_verbs(cards["act-channel"]) == []


async def test_refresh_shows_each_viewer_the_current_state(client: TestClient) -> None:
    before = await invoke(client, REFRESH_ACTION, data(REFRESH_ACTION), PRIYA)
    assert CLAIM_ACTION in execute_verbs(before)
    await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s0"), SAM)
    for who, expected in ((PRIYA, []), (SAM, [RELEASE_ACTION]), (ADA, [RELEASE_ACTION])):
        card = await invoke(client, REFRESH_ACTION, data(REFRESH_ACTION), who)
        assert claimed_line(card).startswith("Claimed by Sam Provider")
        assert execute_verbs(card) == expected


async def test_release_reopens_the_slots_for_another_provider(client: TestClient) -> None:
    await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s0"), SAM)
    refused = await invoke(client, RELEASE_ACTION, data(RELEASE_ACTION), PRIYA)
    assert texts.RELEASE_NOT_ALLOWED.format(who="Sam Provider (Acme AV)") in texts_of(refused)
    released = await invoke(client, RELEASE_ACTION, data(RELEASE_ACTION), SAM)
    assert texts.RELEASE_DONE in texts_of(released)
    assert execute_verbs(released).count(CLAIM_ACTION) == 3
    assert await status(client) == "notified"
    card = await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s0"), PRIYA)
    assert claimed_line(card).startswith("Claimed by Priya Provider (Acme AV)")


async def test_a_slot_booked_meanwhile_shows_the_current_slots(
    client: TestClient, calendar: RoomCalendar
) -> None:
    booked = FIRST + timedelta(hours=1)
    calendar.events = [graph_event(booked, booked + timedelta(minutes=30), "Walk-in booking")]
    card = await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s1"), SAM)
    assert texts.CLAIM_JUST_BOOKED in texts_of(card)
    offered = offered_slots(card)
    assert "inc-1-s1" not in offered  # the booked hour is gone
    assert "inc-1-s0" in offered  # a slot still free keeps its id (old cards and links still work)
    starts = await slot_starts(client)
    assert booked not in starts
    assert booked + timedelta(minutes=30) in starts  # the rest of that window, on a quarter hour
    assert await status(client) == "notified"


async def test_graph_down_refuses_without_booking(client: TestClient, calendar: RoomCalendar) -> None:
    calendar.down = True
    card = await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s1"), SAM)
    assert texts.CLAIM_UNVERIFIED in texts_of(card)
    assert execute_verbs(card).count(CLAIM_ACTION) == 3
    assert await client.app[SERVICES].claims.active_claim("contoso", "INC-1") is None


async def slot_starts(client: TestClient) -> list[datetime]:
    async with client.app[SERVICES].db.session() as session:
        rows = await session.scalars(select(Slot.start).order_by(Slot.seq))
        return [s if s.tzinfo else s.replace(tzinfo=UTC) for s in rows]


def offered_slots(card: dict[str, Any]) -> list[str]:
    """Every slot id the card offers: its slot buttons, and the later-slots picker's choices
    (how many slots get buttons depends on the weekday the test runs)."""
    ids = [a["data"]["slot_id"] for a in actions_of(card) if "slot_id" in a["data"]]
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Input.ChoiceSet" and node.get("id") == "slot_id":
                found.extend(c["value"] for c in node["choices"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return ids + found


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute" and node.get("verb") == CLAIM_ACTION:
                found.append(node)
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def test_refresh_gives_each_viewer_their_roles_view(client: TestClient) -> None:
    """A channel copy shows everyone the buttons; a refresh answers with the viewer's own
    view: the slot buttons for a provider, the status for a client admin."""
    provider = await invoke(client, REFRESH_ACTION, data(REFRESH_ACTION), PRIYA)
    admin = await invoke(client, REFRESH_ACTION, data(REFRESH_ACTION), ADA)
    assert set(execute_verbs(provider)) == {CLAIM_ACTION}
    assert execute_verbs(admin) == []
    assert any(t.startswith("Waiting for Acme AV to choose a slot") for t in texts_of(admin))
