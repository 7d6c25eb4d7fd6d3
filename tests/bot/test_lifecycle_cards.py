"""The posted incident cards follow the incident's end and its SLA (DESIGN 3.10, 3.12), over
real HTTP with the Bot Connector stand-in: a resolve updates every copy in place (1:1 chats
and the channel, same activity ids) to "Resolved — no visit needed" with no buttons, also
after a claim; an SLA breach shows on every copy; the API lists both as card notices."""

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
from cards.incident import CLAIM_ACTION
from services import texts
from services.claims.service import ClaimService
from services.incidents import escalation
from services.store.models import Incident, LocationSettings
from services.store.notification_models import Notification
from tests.bot.activities import activity, execute_verbs
from tests.bot.channel_stub import CALLS
from tests.bot.chat import say, start
from tests.bot.test_claims import CHANNEL, SAM, data, invoke, posted_card, texts_of
from tests.claims_support import RoomCalendar, assign_acme, claim_directory, next_weekday_at, seed_incident
from tests.conftest import make_settings
from tests.samples import API_KEY, WEBHOOK_SECRET
from tests.webhooks import signed

FIRST = next_weekday_at(14)
CARDS = {"act-channel", "act-sam", "act-priya"}


@pytest.fixture
async def client(aiohttp_client: Any, database_url: str) -> TestClient:
    client = await start(aiohttp_client, make_settings(database_url, JOBS_POLL_SECONDS=0.05))
    services = client.app[SERVICES]
    await services.directory.import_document(claim_directory())
    await services.integration.apply(assign_acme())
    await seed_incident(services.db, first_slot=FIRST, triggered_at=datetime.now(UTC) - timedelta(hours=5))
    services.claims = ClaimService(services.db, RoomCalendar())
    channel = {"conversation_id": CHANNEL, "conversation_type": "channel"}
    await say(
        client,
        activity("installationUpdate", action="add", channelData={"team": {"id": "19:team"}}, **channel),
    )
    await say(client, activity("installationUpdate", action="add", **SAM))
    await posted_card(client, "channel:" + CHANNEL, None, CHANNEL, "act-channel")
    await posted_card(client, "user:contoso/u-sam", "u-sam", "a:personal-sam", "act-sam")
    await posted_card(client, "user:contoso/u-priya", "u-priya", "a:1on1-priya", "act-priya")
    return client


async def latest_updates(since: int, expected: set[str], timeout: float = 15.0) -> dict[str, dict[str, Any]]:
    """The newest in-place update of each activity, among the calls after index `since`."""
    assert chat.CHANNEL is not None
    deadline = time.monotonic() + timeout
    while True:
        calls = chat.CHANNEL.server.app[CALLS][since:]
        found = {body["_activity"]: body for kind, body in calls if kind == "update"}
        if expected <= set(found) or time.monotonic() > deadline:
            return {a: found[a]["attachments"][0]["content"] for a in found}
        await asyncio.sleep(0.05)


def calls_so_far() -> int:
    assert chat.CHANNEL is not None
    return len(chat.CHANNEL.server.app[CALLS])


async def resolve(client: TestClient) -> None:
    payload = {"client_id": "contoso", "resolved_at": "2026-11-24T15:00:00Z", "note": "Display back online"}
    body, headers = signed(WEBHOOK_SECRET, payload)
    response = await client.post("/api/incidents/INC-1/resolve", data=body, headers=headers)
    assert response.status == 200, await response.text()


async def card_notices(client: TestClient, event: str, timeout: float = 15.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get("/api/incidents/INC-1", headers={"Authorization": f"Bearer {API_KEY}"})
        found = {
            n["to"]: n["status"]
            for n in (await response.json())["notifications"]
            if n["event"] == event and n["channel"] == "teams"
        }
        if (found and "queued" not in found.values()) or time.monotonic() > deadline:
            return found


async def test_resolve_updates_every_posted_card_in_place(client: TestClient) -> None:
    mark = calls_so_far()
    await resolve(client)
    cards = await latest_updates(mark, CARDS)
    assert set(cards) == CARDS  # the same activities, updated in place: no new posts
    assert chat.CHANNEL is not None
    assert not [b for k, b in chat.CHANNEL.server.app[CALLS][mark:] if k == "send"]
    for card in cards.values():
        lines = texts_of(card)
        assert texts.RESOLVED_LINE in lines
        assert texts.RESOLVED_NOTE.format(note="Display back online") in lines
        assert execute_verbs(card) == []  # no slot buttons, nothing to release
    # The Teams notice of `resolved` is that update, one per card's recipient.
    assert await card_notices(client, "resolved") == {
        "u-sam": "sent",
        "u-priya": "sent",
        "channel:" + CHANNEL: "sent",
    }


async def test_resolve_after_a_claim_clears_the_claim_and_its_release_button(client: TestClient) -> None:
    claimed = await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s1"), SAM)
    assert execute_verbs(claimed) == ["release_slot"]
    await latest_updates(0, CARDS)
    mark = calls_so_far()
    await resolve(client)
    cards = await latest_updates(mark, CARDS)
    for card in cards.values():
        lines = texts_of(card)
        assert texts.RESOLVED_LINE in lines
        assert not any(line.startswith("Claimed by") for line in lines)
        assert execute_verbs(card) == []
        assert any("Sam Provider (Acme AV) — " in line for line in lines)  # the visit not needed
    clicked = await invoke(client, CLAIM_ACTION, data(CLAIM_ACTION, "inc-1-s2"), SAM)
    assert texts.CLAIM_RESOLVED in texts_of(clicked)
    assert execute_verbs(clicked) == []


async def test_an_sla_breach_shows_on_every_posted_card(client: TestClient) -> None:
    services = client.app[SERVICES]
    async with services.db.session() as session:
        settings = await session.get(LocationSettings, ("contoso", "hq"))
        assert settings is not None
        settings.sla_hours = 4  # triggered five hours ago: the deadline has passed
    await services.notifications.fan_out("contoso", "INC-1", "new_incident")  # first notice: arms
    async with services.db.session() as session:
        incident = await session.get(Incident, ("contoso", "INC-1"))
        assert incident is not None and incident.escalation_arm == escalation.FIRST_ARM
    mark = calls_so_far()
    # The breach step was due at once (its deadline passed before the notice); the app's runner runs it.
    cards = await latest_updates(mark, CARDS)
    for act, card in cards.items():
        lines = texts_of(card)
        assert texts.SLA_BREACHED_LINE in lines
        assert any(line.endswith("— SLA breached") for line in lines)
        if act in CARDS:  # the provider and channel copies; a client admin's copy has no buttons
            assert CLAIM_ACTION in execute_verbs(card)  # still open for a claim
    notices = await card_notices(client, "sla_breached")
    # Every card already posted. Ada's card is posted by this very notice, in a job that may run
    # after the breach step (jobs start at once): her card is then built breached from the start.
    assert {"u-sam", "u-priya", "channel:" + CHANNEL} <= set(notices) <= {
        "u-sam",
        "u-priya",
        "u-ada",
        "channel:" + CHANNEL,
    }
    assert set(notices.values()) == {"sent"}


async def test_a_reminder_posts_a_new_card_that_says_so(client: TestClient) -> None:
    services = client.app[SERVICES]
    mark = calls_so_far()
    await services.notifications.fan_out("contoso", "INC-1", "reminder")
    assert chat.CHANNEL is not None
    deadline = time.monotonic() + 15
    while True:
        sent = [b for k, b in chat.CHANNEL.server.app[CALLS][mark:] if k == "send" and b.get("attachments")]
        if sent or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    assert [b["_conversation"] for b in sent] == ["a:personal-sam"]  # Sam's Teams; Priya has Teams off
    card = sent[0]["attachments"][0]["content"]
    assert texts.REMINDER_NOTICE in texts_of(card)
    assert CLAIM_ACTION in execute_verbs(card)
    reminder_card = ""
    while not reminder_card and time.monotonic() < deadline:
        async with services.db.session() as session:
            reminder_card = (
                await session.scalar(
                    select(Notification.activity_id).where(
                        Notification.event == "reminder", Notification.channel == "teams"
                    )
                )
                or ""
            )
        await asyncio.sleep(0.05)
    assert reminder_card.startswith("stub-")
    # Later updates reach this copy too: a resolve edits it in place.
    mark = calls_so_far()
    await resolve(client)
    updated = await latest_updates(mark, CARDS | {reminder_card})
    assert set(updated) == CARDS | {reminder_card}
    assert all(texts.RESOLVED_LINE in texts_of(c) for c in updated.values())
