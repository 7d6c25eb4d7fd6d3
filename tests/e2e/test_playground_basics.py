"""End to end through the Microsoft 365 Agents Playground (Teams channel):
welcome card, help and whoami in personal chat, in a channel, and as a second user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from demo.playground import INCIDENT_CHANNEL_ID, PERSONAL_CHAT_ID, TEAM_ID
from services import texts
from tests.e2e.playground import Playground, running_demo_with_playground

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    async with running_demo_with_playground(tmp_path) as pg:
        yield pg


async def test_personal_chat_welcome_help_whoami(playground: Playground) -> None:
    pg = playground
    await pg.install(PERSONAL_CHAT_ID)
    welcome = await pg.wait_for(lambda m: texts.WELCOME_TITLE in m.texts())
    assert welcome.conversation_id == PERSONAL_CHAT_ID

    mark = len(pg.messages)
    await pg.say_as_current_user(PERSONAL_CHAT_ID, "help")
    help_card = await pg.wait_for(lambda m: texts.HELP_TITLE in m.texts(), after=mark)
    assert any(line.startswith("whoami: ") for line in help_card.texts())

    mark = len(pg.messages)
    await pg.say_as_current_user(PERSONAL_CHAT_ID, "whoami")
    who = await pg.wait_for(lambda m: texts.WHOAMI_TITLE in m.texts(), after=mark)
    assert "Name: Ada Admin" in who.texts()
    assert "Role: Client admin" in who.texts()

    mark = len(pg.messages)
    await pg.say_as_current_user(PERSONAL_CHAT_ID, "what can you do")
    fallback = await pg.wait_for(lambda m: texts.UNKNOWN_COMMAND in m.texts(), after=mark)
    assert texts.HELP_TITLE in fallback.texts()


async def test_channel_whoami_with_mention(playground: Playground) -> None:
    pg = playground
    await pg.install(TEAM_ID)
    await pg.wait_for(lambda m: texts.WELCOME_TITLE in m.texts() and m.conversation_id.startswith(TEAM_ID))
    mark = len(pg.messages)
    await pg.say_as_current_user(INCIDENT_CHANNEL_ID, "whoami", mention_bot=True)
    who = await pg.wait_for(lambda m: texts.WHOAMI_TITLE in m.texts(), after=mark)
    assert who.conversation_id.startswith(INCIDENT_CHANNEL_ID)
    assert "Role: Client admin" in who.texts()


async def test_other_mock_users_map_to_their_roles(playground: Playground) -> None:
    pg = playground
    expected = {
        "Sam Provider": "Role: Service provider",
        "Sol Subcontractor": "Role: Subcontractor",
        "Carl Client": "Role: Client user",
    }
    for name, role in expected.items():
        chat = await pg.open_personal_chat(name)
        mark = len(pg.messages)
        await pg.say_as(name, chat, "whoami")
        who = await pg.wait_for(
            lambda m, chat=chat: m.conversation_id == chat and bool(m.texts()), after=mark
        )
        assert role in who.texts(), (name, who.texts())
    stranger = await pg.open_personal_chat("Una Known")
    mark = len(pg.messages)
    await pg.say_as("Una Known", stranger, "whoami")
    reply = await pg.wait_for(lambda m: m.conversation_id == stranger, after=mark)
    assert reply.texts() == [texts.WHOAMI_UNKNOWN]
