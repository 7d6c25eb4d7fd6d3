"""End to end through the Agents Playground: a signed incident for a demo room reaches
the service provider's personal chat and the client's channel as cards listing exactly
the slots the incident API reports; a user who turned Teams off gets e-mail only."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from demo.playground import DIRECTORY_FILE, TEAM_ID
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
        lambda m: m.conversation_id.startswith(TEAM_ID) and title in m.texts(), after=mark
    )
    body = await incident(pg, incident_id)
    assert body["status"] in ("slots_found", "notified")
    expected = [f"{s['start'][11:16]}–{s['end'][11:16]}" for s in body["slots"]]
    assert expected, "the demo room should have free slots"
    assert slot_buttons(to_sam) == expected
    assert slot_buttons(to_channel) == expected
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
