"""`link` (one-time code by e-mail) and `preferences` (toggles card, Action.Execute and
Action.Submit), over real HTTP to `/api/messages`."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import tests.bot.chat as chat
from api.keys import SERVICES
from cards.preferences import SAVE_ACTION
from services import texts
from tests.bot.activities import activity, card_texts, message
from tests.bot.chat import say, start
from tests.conftest import make_settings

STRANGER = {"user_id": "29:stranger", "aad": "f0000000-0000-4000-8000-0000000000ff"}


@pytest.fixture
async def client(aiohttp_client: Any, database_url: str) -> TestClient:
    return await start(aiohttp_client, make_settings(database_url))


def capture_codes(client: TestClient) -> list[tuple[str, str, str]]:
    sent: list[tuple[str, str, str]] = []

    async def sender(email: str, name: str, code: str) -> None:
        sent.append((email, name, code))

    client.app[SERVICES].links.set_sender(sender)
    return sent


async def test_unknown_user_is_offered_link(client: TestClient) -> None:
    out = await say(client, message("show me incidents", **STRANGER))
    assert card_texts(out[0])[0] == texts.NOT_LINKED
    out = await say(client, message("preferences", **STRANGER))
    assert [r.get("text") for r in out] == [texts.NOT_LINKED]


async def test_link_with_the_emailed_code(client: TestClient) -> None:
    sent = capture_codes(client)
    out = await say(client, message("link", **STRANGER))
    assert [r.get("text") for r in out] == [texts.LINK_ASK_EMAIL]
    out = await say(client, message("Bo@Contoso.example", **STRANGER))
    assert [r.get("text") for r in out] == [texts.LINK_CODE_SENT]
    assert [(e, n) for e, n, _ in sent] == [("bo@contoso.example", "Bo User")]
    code = sent[0][2]
    wrong = "000000" if code != "000000" else "111111"
    out = await say(client, message(wrong, **STRANGER))
    assert [r.get("text") for r in out] == [texts.LINK_WRONG]
    out = await say(client, message(code, **STRANGER))
    assert [r.get("text") for r in out] == [texts.LINK_DONE.format(name="Bo User")]
    out = await say(client, message("whoami", **STRANGER))
    lines = card_texts(out[0])
    assert "Name: Bo User" in lines
    assert texts.WHOAMI_MATCHED_BY.format(method=texts.MATCH_METHODS["code"]) in lines
    # The code is single use.
    out = await say(client, message("link", **STRANGER))
    out = await say(client, message("nobody@nowhere.example", **STRANGER))
    assert [r.get("text") for r in out] == [texts.LINK_CODE_SENT]  # same answer: no directory probing
    assert len(sent) == 1


async def test_link_gives_up_after_five_wrong_codes(client: TestClient) -> None:
    sent = capture_codes(client)
    await say(client, message("link", **STRANGER))
    await say(client, message("bo@contoso.example", **STRANGER))
    code = sent[0][2]
    wrong = "000000" if code != "000000" else "111111"
    answers = [[r.get("text") for r in await say(client, message(wrong, **STRANGER))] for _ in range(5)]
    assert answers == [[texts.LINK_WRONG]] * 4 + [[texts.LINK_EXPIRED]]
    out = await say(client, message(code, **STRANGER))  # too late: the dialog is over, the code gone
    assert card_texts(out[0])[0] == texts.NOT_LINKED


async def test_bad_email_sends_nothing(client: TestClient) -> None:
    sent = capture_codes(client)
    await say(client, message("link", **STRANGER))
    out = await say(client, message("not an address", **STRANGER))
    assert [r.get("text") for r in out] == [texts.LINK_BAD_EMAIL]
    assert sent == []


def toggles(**overrides: str) -> dict[str, str]:
    values = {
        "email": "true",
        "teams": "true",
        "event_new_incident": "true",
        "event_slot_claimed": "true",
        "event_slot_released": "true",
    }
    values.update(overrides)
    return values


async def test_preferences_card_and_submit(client: TestClient) -> None:
    out = await say(client, message("preferences"))
    lines = card_texts(out[0])
    assert lines[0] == texts.PREFS_TITLE
    data = {"action": SAVE_ACTION, **toggles(teams="false", event_slot_released="false")}
    out = await say(client, message("", value=data))
    assert texts.PREFS_SAVED in card_texts(out[0])
    prefs = await client.app[SERVICES].preferences.get("contoso", "u-ada")
    assert prefs is not None
    assert (prefs.email, prefs.teams) == (True, False)
    assert prefs.events == {"new_incident": True, "slot_claimed": True, "slot_released": False}
    assert not prefs.wants("teams", "new_incident")
    assert prefs.wants("email", "slots_update")


async def test_preferences_via_action_execute_invoke(client: TestClient) -> None:
    body = activity(
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": SAVE_ACTION, "data": toggles(email="false")}},
    )
    assert chat.CHANNEL is not None
    body["serviceUrl"] = chat.CHANNEL.url
    response = await client.post("/api/messages", json=body)
    assert response.status == 200
    reply = await response.json()
    assert reply["statusCode"] == 200
    assert reply["type"] == "application/vnd.microsoft.card.adaptive"
    assert texts.PREFS_SAVED in card_texts({"attachments": [reply["value"]]})
    prefs = await client.app[SERVICES].preferences.get("contoso", "u-ada")
    assert prefs is not None
    assert prefs.email is False


async def test_malformed_preferences_change_nothing(client: TestClient) -> None:
    out = await say(client, message("", value={"action": SAVE_ACTION, "email": "maybe"}))
    assert [r.get("text") for r in out] == [texts.PREFS_BAD_INPUT]
    prefs = await client.app[SERVICES].preferences.get("contoso", "u-ada")
    assert prefs is not None
    assert (prefs.email, prefs.teams) == (True, True)
