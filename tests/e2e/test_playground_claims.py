"""End to end through the Agents Playground: a client user's copy has no slot buttons and
their click on the channel copy's slot is refused;
the provider's mock user clicks a slot on their card (Action.Execute, as the playground
sends it) and gets the success card within two seconds; every other copy — the channel's,
the other provider user's — is edited in place to show who claimed which slot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from demo.playground import INCIDENT_CHANNEL_ID
from services import texts
from services.domain.time_format import style_for
from tests.e2e.playground import BotMessage, Playground, running_demo_with_playground
from tests.e2e.test_playground_incidents import incident, post_incident

pytestmark = pytest.mark.e2e
CARD_TITLE = "Incident: Projector flickering"


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    async with running_demo_with_playground(tmp_path) as pg:
        yield pg


def slot_actions(message: BotMessage) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute" and node.get("verb") == "claim_slot":
                found.append(node)
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.activity.get("attachments", []))
    return found


async def click(pg: Playground, user_name: str, message: BotMessage, action: dict[str, Any]) -> list[str]:
    """What the playground's UI sends when `user_name` clicks an Action.Execute button on `message`."""
    body = {
        "name": "adaptiveCard/action",
        "conversation": {"id": message.conversation_id},
        "from": {"id": pg.user(user_name)["id"]},
        "replyToId": message.id,
        "value": {"action": {"type": "Action.Execute", "verb": action["verb"], "data": action["data"]}},
    }
    async with pg.session.post(f"{pg.url}/_conversation/v1/invoke", json=body) as response:
        assert response.status == 200, await response.text()
        reply = await response.json()
    assert reply["type"] == "application/vnd.microsoft.card.adaptive"
    return BotMessage(message.conversation_id, {"attachments": [{"content": reply["value"]}]}, None).texts()


def claimed_by(name: str) -> Any:
    return lambda texts_: any(t.startswith(f"Claimed by {name} (Acme AV) — ") for t in texts_)


async def test_provider_claims_from_the_card_and_every_copy_updates(playground: Playground) -> None:
    pg = playground
    chats = {
        name: await pg.open_personal_chat(name) for name in ("Sam Provider", "Priya Provider", "Carl Client")
    }
    mark = len(pg.messages)
    incident_id = await post_incident(pg, "nyc-4b", "Projector flickering")
    cards = {
        name: await pg.wait_for(
            lambda m, c=chat: m.conversation_id == c and CARD_TITLE in m.texts(), after=mark
        )
        for name, chat in chats.items()
    }
    channel = await pg.wait_for(
        lambda m: m.conversation_id.startswith(INCIDENT_CHANNEL_ID) and CARD_TITLE in m.texts(), after=mark
    )
    assert all(m.id for m in [*cards.values(), channel])
    slots = slot_actions(cards["Sam Provider"])
    assert slots, "the demo room should have free slots"

    # A client user's own copy says who is expected to act, with no slot buttons; a slot
    # click from them anyway (the channel copy's button data, sent from their chat) is
    # refused by the server, nothing changes.
    assert not slot_actions(cards["Carl Client"])
    assert any(t.startswith("Waiting for Acme AV to choose a slot") for t in cards["Carl Client"].texts())
    assert slot_actions(channel)
    refused = await click(pg, "Carl Client", cards["Carl Client"], slot_actions(channel)[0])
    assert texts.CLAIM_NOT_ALLOWED.format(site="Contoso New York") in refused
    assert (await incident(pg, incident_id))["claim"] is None

    # Sam clicks the second slot on his card.
    shown = await click(pg, "Sam Provider", cards["Sam Provider"], slots[1])
    assert texts.CLAIM_DONE in shown
    assert claimed_by("Sam Provider")(shown)
    body = await incident(pg, incident_id)
    assert body["status"] == "claimed"
    assert body["claim"]["user_id"] == "u-sam"
    assert body["claim"]["provider"] == {"id": "acme-av", "name": "Acme AV"}
    assert body["claim"]["slot"]["id"] == slots[1]["data"]["slot_id"]
    label = slots[1]["title"]
    assert f"{body['claim']['slot']['start'][11:16]}–{body['claim']['slot']['end'][11:16]}" == label

    # The channel's, Priya's and Carl's copies are edited in place (same message ids).
    after_click = len(pg.messages)
    for copy in (channel, cards["Priya Provider"], cards["Carl Client"]):
        updated = await pg.wait_for(
            lambda m, c=copy: (
                m.conversation_id == c.conversation_id
                and m.id == c.id
                and claimed_by("Sam Provider")(m.texts())
            ),
            after=after_click,
        )
        # in the reader's locale where Teams reported one (the playground says en-US), else 24-hour
        start, end = (datetime.fromisoformat(body["claim"]["slot"][k]) for k in ("start", "end"))
        zone = ZoneInfo(body["timezone"])
        written = {style_for(tag).span(start, end, zone) for tag in (None, "en-US")}
        claimed_line = next(t for t in updated.texts() if t.startswith("Claimed by"))
        assert any(w in claimed_line for w in written), claimed_line
        assert not slot_actions(updated)

    # Priya clicks on her (old) copy's button anyway: she is told who won.
    late = await click(
        pg, "Priya Provider", cards["Priya Provider"], slot_actions(cards["Priya Provider"])[0]
    )
    assert any(
        t.startswith("Sorry, this incident is already claimed by Sam Provider (Acme AV) — ") for t in late
    )
    assert (await incident(pg, incident_id))["claim"]["user_id"] == "u-sam"
