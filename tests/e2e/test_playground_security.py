"""End to end through the Agents Playground, whose custom activities reach the bot verbatim:
a user of another tenant whose Teams e-mail is the client admin's (the playground's member
look-up answers Ada's address) gets no role, cannot rotate secrets or start setup, and
neither claims nor sees an incident."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from demo.playground import PERSONAL_CHAT_ID
from services import texts
from tests.e2e.playground import Playground, running_demo_with_playground
from tests.e2e.test_playground_incidents import incident, post_incident

pytestmark = pytest.mark.e2e
FOREIGN = "99999999-8888-4777-8666-555555555555"
OTHER_AAD = "e0000000-0000-4000-8000-0000000000e9"
TITLE = "Projector flickering"


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    async with running_demo_with_playground(tmp_path) as pg:
        yield pg


async def test_a_foreign_tenant_user_with_the_admins_email_gets_nothing(playground: Playground) -> None:
    pg = playground
    admin = pg.config["currentUser"]["name"]
    incident_id = await post_incident(pg, "nyc-4b", TITLE)
    before = await incident(pg, incident_id)
    for _ in range(150):  # the pipeline finds the slots in the background
        if before.get("slots"):
            break
        await asyncio.sleep(0.2)
        before = await incident(pg, incident_id)
    assert before.get("slots"), before
    slot_id = before["slots"][0]["id"]
    client_id = before.get("client_id", "contoso")

    async def answer(text: str = "", **value: str) -> list[str]:
        mark = len(pg.messages)
        await pg.say_as(admin, PERSONAL_CHAT_ID, text, tenant=FOREIGN, aad=OTHER_AAD, value=value or None)
        reply = await pg.wait_for(lambda m: m.conversation_id == PERSONAL_CHAT_ID, after=mark)
        return reply.texts()

    assert await answer("whoami") == [texts.WHOAMI_UNKNOWN]
    assert await answer("rotate-secrets") == [texts.NOT_LINKED]
    assert await answer("setup") == [texts.NOT_LINKED]
    assert await answer(action="rotate_secrets") == [texts.CARD_NOT_FOR_YOU]
    target = {"client_id": client_id, "incident_id": incident_id}
    assert await answer(action="claim_slot", slot_id=slot_id, **target) == [texts.CARD_NOT_FOR_YOU]
    seen = await answer(action="refresh_incident", **target)
    assert seen == [texts.CARD_NOT_FOR_YOU]
    assert (await incident(pg, incident_id))["claim"] is None
    # Ada herself, in her tenant, is still the client admin.
    mark = len(pg.messages)
    await pg.say_as_current_user(PERSONAL_CHAT_ID, "whoami")
    who = await pg.wait_for(lambda m: texts.WHOAMI_TITLE in m.texts(), after=mark)
    assert "Role: Client admin" in who.texts()
