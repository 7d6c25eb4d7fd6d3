"""End to end through the Agents Playground: a signed incident for a demo room reaches
the service provider's personal chat and the team's "Incidents" channel as cards offering
exactly the slots the incident API reports; the client admin's chat shows the status
instead of buttons; the e-mail's HTML part shows the attached 48-hour picture; a user who
turned Teams off gets e-mail only."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from demo.playground import DIRECTORY_FILE, INCIDENT_CHANNEL_ID, PERSONAL_CHAT_ID, playground_config
from tests.e2e.playground import BotMessage, Playground, running_demo_with_playground
from tests.webhooks import signed

pytestmark = pytest.mark.e2e
DIRECTORY = json.loads(DIRECTORY_FILE.read_text())
SECRET = DIRECTORY["client"]["webhook_secret"]
API_KEY = DIRECTORY["client"]["api_key"]


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    async with running_demo_with_playground(tmp_path) as pg:
        yield pg


def slot_buttons(message: BotMessage) -> list[str]:
    titles: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute" and node.get("verb") == "claim_slot":
                titles.append(node["title"])
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.activity.get("attachments", []))
    return titles


def offered_slot_ids(message: BotMessage) -> list[str]:
    """The slots a card offers: its slot buttons, then the choices behind "Show all"."""
    ids: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            is_slot_button = node.get("type") == "Action.Execute" and node.get("verb") == "claim_slot"
            if is_slot_button and "slot_id" in node.get("data", {}):
                ids.append(node["data"]["slot_id"])
            if node.get("type") == "Input.ChoiceSet" and node.get("id") == "slot_id":
                ids.extend(c["value"] for c in node["choices"])
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.activity.get("attachments", []))
    return ids


async def post_incident(pg: Playground, room: str, title: str) -> str:
    incident_id = f"INC-E2E-{uuid.uuid4().hex[:8]}"
    payload = {
        "id": incident_id,
        "client_id": "contoso",
        "room_id": room,
        "triggered_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "title": title,
        "severity": "high",
    }
    body, headers = signed(SECRET, payload)
    async with pg.session.post(pg.bot_url + "/api/incidents", data=body, headers=headers) as response:
        assert response.status == 202, await response.text()
    return incident_id


async def incident(pg: Playground, incident_id: str) -> dict[str, Any]:
    async with pg.session.get(
        f"{pg.bot_url}/api/incidents/{incident_id}", headers={"Authorization": f"Bearer {API_KEY}"}
    ) as response:
        assert response.status == 200
        return dict(await response.json())


async def test_provider_and_channel_get_the_incident_card(playground: Playground) -> None:
    pg = playground
    sam_chat = await pg.open_personal_chat("Sam Provider")
    mark = len(pg.messages)
    incident_id = await post_incident(pg, "nyc-4b", "Display offline")
    title = "Incident: Display offline"
    to_sam = await pg.wait_for(lambda m: m.conversation_id == sam_chat and title in m.texts(), after=mark)
    to_channel = await pg.wait_for(
        lambda m: m.conversation_id.startswith(INCIDENT_CHANNEL_ID) and title in m.texts(), after=mark
    )
    body = await incident(pg, incident_id)
    assert body["status"] in ("slots_found", "notified")
    expected = [s["id"] for s in body["slots"]]
    assert expected, "the demo room should have free slots"
    assert offered_slot_ids(to_sam) == expected
    assert offered_slot_ids(to_channel) == expected
    assert len(slot_buttons(to_sam)) == min(8, len(expected))  # the rest behind "Show all"
    sent = {(n["channel"], n["to"]) for n in body["notifications"] if n["status"] == "sent"}
    assert ("teams", "u-sam") in sent
    assert ("email", "sam@acme.example") in sent


async def test_teams_off_means_email_only(playground: Playground) -> None:
    pg = playground
    sol_chat = await pg.open_personal_chat("Sol Subcontractor")  # Sol's directory entry: teams off
    mark = len(pg.messages)
    incident_id = await post_incident(pg, "lon-thames", "Camera offline")
    await pg.wait_for(lambda m: "Incident: Camera offline" in m.texts(), after=mark)  # cards went out
    body = await incident(pg, incident_id)
    sol = [n for n in body["notifications"] if n["to"] in ("u-sol", "sol@sparks.example")]
    assert [(n["channel"], n["to"]) for n in sol] == [("email", "sol@sparks.example")]
    assert not [m for m in pg.messages[mark:] if m.conversation_id == sol_chat]


def card_image(message: BotMessage) -> dict[str, Any]:
    body = message.activity["attachments"][0]["content"]["body"]
    return next(block for block in body if block.get("type") == "Image")


async def test_each_reader_gets_their_own_card_and_the_email_shows_the_picture(
    playground: Playground, tmp_path: Path
) -> None:
    pg = playground
    sam_chat = await pg.open_personal_chat("Sam Provider")
    mark = len(pg.messages)
    incident_id = await post_incident(pg, "nyc-4b", "Display offline")
    title = "Incident: Display offline"
    to_ada = await pg.wait_for(
        lambda m: m.conversation_id == PERSONAL_CHAT_ID and title in m.texts(), after=mark
    )
    to_sam = await pg.wait_for(lambda m: m.conversation_id == sam_chat and title in m.texts(), after=mark)
    to_channel = await pg.wait_for(
        lambda m: m.conversation_id.startswith(INCIDENT_CHANNEL_ID) and title in m.texts(), after=mark
    )
    body = await incident(pg, incident_id)
    # Ada (client admin): the status, who is expected to act and by when; no slot buttons.
    assert offered_slot_ids(to_ada) == []
    waiting = [t for t in to_ada.texts() if t.startswith("Waiting for Acme AV to choose a slot, respond by ")]
    assert waiting and re.search(r"\d{1,2}:\d{2}( [AP]M)? E[SD]T\.$", waiting[0]), waiting
    # Sam (service provider): the slot buttons; the channel: the buttons too.
    assert offered_slot_ids(to_sam) == [s["id"] for s in body["slots"]]
    assert offered_slot_ids(to_channel) == [s["id"] for s in body["slots"]]
    assert not any(t.startswith("Waiting for") for t in to_sam.texts())
    # Every copy carries the 48-hour picture with its text alternative.
    for message in (to_ada, to_sam, to_channel):
        image = card_image(message)
        assert image["url"].startswith("data:image/png;base64,")
        assert image["altText"].startswith("Availability of ")
    # The channel copy refreshes for the tenant's linked viewers (at most 60).
    refresh = to_channel.activity["attachments"][0]["content"]["refresh"]
    assert refresh["action"]["verb"] == "refresh_incident" and len(refresh.get("userIds", [])) <= 60

    # The e-mail to Sam: the HTML part shows an inline image that the message carries.
    mail_dir = tmp_path / "var" / "mail"
    deadline = asyncio.get_running_loop().time() + 20
    found = None
    while found is None and asyncio.get_running_loop().time() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if incident_id in str(message["Subject"]) and "sam@acme.example" in str(message["To"]):
                found = message
        await asyncio.sleep(0.2)
    assert found is not None, "Sam's e-mail did not arrive"
    html_part = found.get_body(preferencelist=("html",))
    text_part = found.get_body(preferencelist=("plain",))
    assert html_part is not None and text_part is not None
    cids = re.findall(r'src="cid:([^"]+)"', html_part.get_content())
    assert len(cids) == 1
    images = {
        str(p["Content-ID"]).strip("<>"): p for p in found.walk() if p.get_content_type() == "image/png"
    }
    assert cids[0] in images and images[cids[0]].get_payload(decode=True).startswith(b"\x89PNG")
    assert "cid:" not in text_part.get_content()
    assert playground_config()["team"]["channels"][0]["name"] == "Incidents"
