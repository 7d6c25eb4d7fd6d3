"""Every card action × allowed / not allowed, as Action.Execute invokes over real HTTP to
`/api/messages`: the answer is always a valid invoke response (200, a card or a message),
never a 5xx; a clicker who may not use the card gets the neutral card, naming nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import tests.bot.chat as chat
from api.keys import SERVICES
from cards.admin import MANAGE_ACTION, ROTATE_ACTION
from cards.claim import REFRESH_ACTION, RELEASE_ACTION
from cards.incident import CLAIM_ACTION
from cards.preferences import SAVE_ACTION
from cards.setup import NEW_LINK_ACTION
from services import texts
from services.claims.service import ClaimService
from services.store.models import Incident
from tests.bot.activities import activity, card_texts
from tests.bot.chat import start
from tests.claims_support import (
    ADA_AAD,
    OLGA_AAD,
    SAM_AAD,
    RoomCalendar,
    assign_acme,
    claim_directory,
    next_weekday_at,
    seed_incident,
)
from tests.conftest import make_settings
from tests.samples import API_KEY

FOREIGN = "99999999-8888-4777-8666-555555555555"
ADA = {"user_id": "29:ada", "aad": ADA_AAD, "conversation_id": "a:personal-ada"}
SAM = {"user_id": "29:sam", "aad": SAM_AAD, "conversation_id": "a:personal-sam"}
OLGA = {"user_id": "29:olga", "aad": OLGA_AAD, "conversation_id": "a:personal-olga"}  # not HQ's provider
STRANGER = {"user_id": "29:stranger", "aad": "f0000000-0000-4000-8000-0000000000ff"}
FOREIGN_ADA = {"user_id": "29:ada", "aad": ADA_AAD, "tenant": FOREIGN, "conversation_id": "a:personal-x"}
INCIDENT = {"client_id": "contoso", "incident_id": "INC-1"}
PREFS = {
    "email": "true",
    "teams": "false",
    "event_new_incident": "true",
    "event_slot_claimed": "true",
    "event_slot_released": "true",
}
FIRST = next_weekday_at(14)

# verb -> (its data, who may use it)
VERBS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    CLAIM_ACTION: ({**INCIDENT, "slot_id": "inc-1-s0"}, SAM),
    RELEASE_ACTION: (INCIDENT, SAM),
    REFRESH_ACTION: (INCIDENT, SAM),
    SAVE_ACTION: (PREFS, SAM),
    ROTATE_ACTION: ({}, ADA),
    NEW_LINK_ACTION: ({}, ADA),
    MANAGE_ACTION: ({"step": "overview"}, ADA),
}
REFUSED: dict[str, list[dict[str, Any]]] = {
    CLAIM_ACTION: [STRANGER, FOREIGN_ADA, OLGA],
    RELEASE_ACTION: [STRANGER, FOREIGN_ADA, OLGA],
    REFRESH_ACTION: [STRANGER, FOREIGN_ADA, OLGA],
    SAVE_ACTION: [STRANGER, FOREIGN_ADA],
    ROTATE_ACTION: [STRANGER, FOREIGN_ADA, SAM],
    NEW_LINK_ACTION: [STRANGER, FOREIGN_ADA, SAM],
    MANAGE_ACTION: [STRANGER, FOREIGN_ADA, SAM],
}


@pytest.fixture
async def client(aiohttp_client: Any, database_url: str) -> TestClient:
    client = await start(aiohttp_client, make_settings(database_url, JOBS_POLL_SECONDS=0.05))
    services = client.app[SERVICES]
    await services.directory.import_document(claim_directory())
    await services.integration.apply(assign_acme())
    await seed_incident(services.db, first_slot=FIRST, triggered_at=FIRST - timedelta(hours=1))
    services.claims = ClaimService(services.db, RoomCalendar())
    return client


async def invoke(client: TestClient, verb: str, data: dict[str, Any], who: dict[str, Any]) -> dict[str, Any]:
    body = activity(
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": {"action": verb, **data}}},
        **who,
    )
    assert chat.CHANNEL is not None
    body["serviceUrl"] = chat.CHANNEL.url
    response = await client.post("/api/messages", json=body)
    assert response.status == 200, (verb, who, response.status, await response.text())
    reply = dict(await response.json())
    assert reply["statusCode"] == 200
    assert reply["type"] in (
        "application/vnd.microsoft.card.adaptive",
        "application/vnd.microsoft.activity.message",
    )
    if reply["type"].endswith("message"):
        assert isinstance(reply["value"], str) and reply["value"]
    else:
        assert reply["value"]["type"] == "AdaptiveCard"
    return reply


def shown(reply: dict[str, Any]) -> list[str]:
    if isinstance(reply["value"], str):
        return [reply["value"]]
    return card_texts({"attachments": [reply["value"]]})


async def key_works(client: TestClient) -> bool:
    try:
        await client.app[SERVICES].directory.authenticate("contoso", API_KEY)
    except Exception:
        return False
    return True


async def test_refused_clickers_get_the_neutral_card_and_change_nothing(client: TestClient) -> None:
    for verb, refused in REFUSED.items():
        data, _ = VERBS[verb]
        for who in refused:
            reply = await invoke(client, verb, data, who)
            assert shown(reply) == [texts.CARD_NOT_FOR_YOU], (verb, who)
    assert await key_works(client)
    assert await client.app[SERVICES].claims.active_claim("contoso", "INC-1") is None
    prefs = await client.app[SERVICES].preferences.get("contoso", "u-sam")
    assert prefs is None or prefs.teams is True


async def test_allowed_clickers_get_an_answer_for_every_verb(client: TestClient) -> None:
    answers = {verb: shown(await invoke(client, verb, data, who)) for verb, (data, who) in VERBS.items()}
    assert texts.CLAIM_DONE in answers[CLAIM_ACTION]
    assert texts.RELEASE_DONE in answers[RELEASE_ACTION]
    assert any("Display offline" in line for line in answers[REFRESH_ACTION])
    assert texts.PREFS_SAVED in answers[SAVE_ACTION]
    assert answers[ROTATE_ACTION] == [texts.ACTION_DONE]  # the new keys went to Ada's chat
    assert not await key_works(client)
    assert answers[NEW_LINK_ACTION] == answers[MANAGE_ACTION] == [texts.ACTION_DONE]  # cards sent


async def test_an_unknown_verb_or_bad_data_is_answered_too(client: TestClient) -> None:
    assert shown(await invoke(client, "no_such_verb", {}, SAM)) == [texts.ACTION_DONE]
    assert shown(await invoke(client, CLAIM_ACTION, {}, SAM)) == [texts.CLAIM_BAD_BUTTON]
    assert shown(await invoke(client, REFRESH_ACTION, {"client_id": 7}, SAM)) == [texts.CARD_NOT_FOR_YOU]
    assert shown(await invoke(client, SAVE_ACTION, {"email": "maybe"}, SAM)) == [texts.PREFS_BAD_INPUT]


async def test_a_hostile_incident_title_reaches_the_card_as_text(client: TestClient) -> None:
    async with client.app[SERVICES].db.session() as session:
        incident = await session.get(Incident, ("contoso", "INC-1"))
        assert incident is not None
        incident.title = "[x](https://evil.example) **bold**"
    reply = await invoke(client, REFRESH_ACTION, INCIDENT, SAM)
    assert texts.INCIDENT_CARD_TITLE.format(
        title="\\[x\\](https:\u200b//evil.example) \\*\\*bold\\*\\*"
    ) in shown(reply)
    assert "](https://" not in json.dumps(reply["value"])
