"""Each posted copy of an incident card is built for its audience, from the database: a
provider's 1:1 copy has the slot buttons, a client admin's or user's the status, a
channel's the buttons; after a claim each copy keeps its audience (release only where
allowed); times follow the locale stored with the conversation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.keys import SERVICES
from bot.claims import conversation_card
from cards.claim import RELEASE_ACTION
from cards.incident import CLAIM_ACTION
from services.claims.service import ClaimService
from services.incidents.view_builder import load_incident_view
from services.notify.card_facts import CardFacts
from services.store.database import Database
from tests.bot.activities import execute_verbs
from tests.bot.chat import start
from tests.bot.test_claims import FIRST
from tests.cards.test_incident import texts_of
from tests.claims_support import RoomCalendar, assign_acme, claim_directory, seed_incident
from tests.conftest import make_settings


@pytest.fixture
async def db(aiohttp_client: Any, database_url: str) -> Database:
    client = await start(aiohttp_client, make_settings(database_url))
    services = client.app[SERVICES]
    await services.directory.import_document(claim_directory())
    await services.integration.apply(assign_acme())
    await seed_incident(services.db, first_slot=FIRST)
    return services.db


def reference(user: str | None = None, locale: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"conversation": {"id": "a:chat"}, "serviceUrl": "https://smba.example"}
    if user:
        ref["user"] = {"id": user}
    if locale:
        ref["locale"] = locale
    return ref


async def test_each_copy_is_for_its_reader(db: Database) -> None:
    view = await load_incident_view(db, "contoso", "INC-1")
    assert view is not None and view.provider_name == "Acme AV"
    sam = await conversation_card(CardFacts(db), view, reference("29:sam", "en-US"), "u-sam")
    ada = await conversation_card(CardFacts(db), view, reference("29:ada"), "u-ada")
    bo = await conversation_card(CardFacts(db), view, reference("29:bo"), "u-bo")
    channel = await conversation_card(CardFacts(db), view, reference(locale="en-US"), None)
    assert set(execute_verbs(sam)) == {CLAIM_ACTION}
    # A channel's stored locale is its installer's, not every reader's: the house style there.
    assert not any(t.endswith((" AM", " PM")) for t in _titles(channel))
    assert set(execute_verbs(channel)) == {CLAIM_ACTION}
    assert execute_verbs(ada) == [] and execute_verbs(bo) == []
    assert any(t.startswith("Waiting for Acme AV to choose a slot") for t in texts_of(ada))
    assert sam["refresh"]["userIds"] == ["29:sam"]
    # Sam's conversation was stored with en-US: am/pm; Ada's without a locale: 24-hour.
    assert any(t.endswith((" AM", " PM")) for t in _titles(sam)), _titles(sam)
    ada_alt = next(b["altText"] for b in ada["body"] if b["type"] == "Image")
    sam_alt = next(b["altText"] for b in sam["body"] if b["type"] == "Image")
    assert re.search(r"\b\d{2}:\d{2} E[SD]T\b", ada_alt) and not re.search(r"\b[AP]M\b", ada_alt)
    assert re.search(r"\b\d{1,2}:\d{2} [AP]M E[SD]T\b", sam_alt)


async def test_after_a_claim_each_copy_keeps_its_audience(db: Database) -> None:
    view = await load_incident_view(db, "contoso", "INC-1")
    assert view is not None
    claims = ClaimService(db, RoomCalendar())
    result = await claims.claim_as_user("contoso", "INC-1", view.slots[1].id, "u-sam")
    assert result.ok
    view = await load_incident_view(db, "contoso", "INC-1")
    assert view is not None
    sam = await conversation_card(CardFacts(db), view, reference("29:sam"), "u-sam")
    priya = await conversation_card(CardFacts(db), view, reference("29:priya"), "u-priya")
    ada = await conversation_card(CardFacts(db), view, reference("29:ada"), "u-ada")
    bo = await conversation_card(CardFacts(db), view, reference("29:bo"), "u-bo")
    channel = await conversation_card(CardFacts(db), view, reference(), None)
    assert execute_verbs(sam) == [RELEASE_ACTION]  # the claimer
    assert execute_verbs(ada) == [RELEASE_ACTION]  # a client admin
    assert execute_verbs(priya) == [] and execute_verbs(bo) == [] and execute_verbs(channel) == []
    for card in (sam, priya, ada, bo, channel):
        assert any(t.startswith("Claimed by Sam Provider (Acme AV) — ") for t in texts_of(card))


def _titles(card: dict[str, Any]) -> list[str]:
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                out.append(node["title"])
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return out
