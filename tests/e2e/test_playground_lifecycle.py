"""End to end through the Agents Playground (DESIGN 3.10): an incident card is posted to the
provider's chat and to the channel; pivot resolves the incident; both copies are edited in
place (the same activity ids) to "Resolved — no visit needed", with no slot buttons, and a
click on an old button is told the incident was resolved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from demo.playground import INCIDENT_CHANNEL_ID
from services import texts
from tests.e2e.playground import Playground, running_demo_with_playground
from tests.e2e.test_playground_claims import click, slot_actions
from tests.e2e.test_playground_incidents import SECRET, incident, post_incident
from tests.webhooks import signed

pytestmark = pytest.mark.e2e
CARD_TITLE = "Incident: Ceiling speaker crackles"


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    async with running_demo_with_playground(tmp_path) as pg:
        yield pg


async def resolve(pg: Playground, incident_id: str) -> None:
    payload = {"client_id": "contoso", "resolved_at": "2026-11-24T15:00:00Z", "note": "Fixed on site"}
    body, headers = signed(SECRET, payload)
    async with pg.session.post(
        f"{pg.bot_url}/api/incidents/{incident_id}/resolve", data=body, headers=headers
    ) as response:
        assert response.status == 200, await response.text()
        assert await response.json() == {"id": incident_id, "status": "resolved"}


async def test_resolving_edits_the_provider_and_channel_cards_in_place(playground: Playground) -> None:
    pg = playground
    sam_chat = await pg.open_personal_chat("Sam Provider")
    mark = len(pg.messages)
    incident_id = await post_incident(pg, "nyc-4b", "Ceiling speaker crackles")
    to_sam = await pg.wait_for(
        lambda m: m.conversation_id == sam_chat and CARD_TITLE in m.texts(), after=mark
    )
    to_channel = await pg.wait_for(
        lambda m: m.conversation_id.startswith(INCIDENT_CHANNEL_ID) and CARD_TITLE in m.texts(), after=mark
    )
    assert to_sam.id and to_channel.id
    assert slot_actions(to_sam) and slot_actions(to_channel)

    after_post = len(pg.messages)
    await resolve(pg, incident_id)
    for copy in (to_sam, to_channel):
        updated = await pg.wait_for(
            lambda m, c=copy: (
                m.conversation_id == c.conversation_id and m.id == c.id and texts.RESOLVED_LINE in m.texts()
            ),
            after=after_post,
        )
        assert CARD_TITLE in updated.texts()
        assert texts.RESOLVED_NOTE.format(note="Fixed on site") in updated.texts()
        assert not slot_actions(updated)
    body = await incident(pg, incident_id)
    assert body["status"] == "resolved" and body["resolution_note"] == "Fixed on site"
    assert {n["event"] for n in body["notifications"]} >= {"new_incident", "resolved"}

    # Sam clicks a slot on the old copy anyway: told it was resolved, nothing booked.
    late = await click(pg, "Sam Provider", to_sam, slot_actions(to_sam)[0])
    assert texts.CLAIM_RESOLVED in late
    assert (await incident(pg, incident_id))["claim"] is None
