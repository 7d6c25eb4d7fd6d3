"""Conversations with the bot over real HTTP (`/api/messages`, expectReplies)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogTurnResult, TextPrompt, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.prompts import PromptOptions

from api.keys import SERVICES
from app import build_app
from bot.commands import CommandContext, CommandRegistry
from bot.wiring import BotExtensions
from services import texts
from tests.bot.activities import activity, card_texts, message
from tests.bot.channel_stub import CALLS
from tests.bot.chat import Channel, say, start
from tests.conftest import make_settings
from tests.samples import directory

ADA_AAD = "a0000000-0000-4000-8000-0000000000a1"


async def test_install_sends_welcome_card_and_stores_reference(
    aiohttp_client: Any, database_url: str
) -> None:
    client = await start(aiohttp_client, make_settings(database_url))
    out = await say(client, activity("installationUpdate", action="add"))
    assert len(out) == 1
    assert texts.WELCOME_TITLE in card_texts(out[0])
    stored = await client.app[SERVICES].conversations.get("a:personal-ada")
    assert stored is not None
    assert stored.conversation_type == "personal"
    assert stored.user_aad_object_id == ADA_AAD
    assert stored.reference["conversation"]["id"] == "a:personal-ada"
    assert await client.app[SERVICES].conversations.personal_for(ADA_AAD.upper()) == stored


async def test_channel_and_group_chat_references(aiohttp_client: Any, sqlite_url: str) -> None:
    client = await start(aiohttp_client, make_settings(sqlite_url))
    channel = activity(
        "installationUpdate",
        action="add",
        conversation_id="19:general@thread.tacv2",
        conversation_type="channel",
        channelData={
            "tenant": {"id": "t"},
            "team": {"id": "19:team@thread.tacv2"},
            "channel": {"id": "19:general@thread.tacv2", "name": "General"},
        },
    )
    await say(client, channel)
    thread = message(
        "<at>pivot Scheduling</at> help",
        conversation_id="19:general@thread.tacv2;messageid=42",
        conversation_type="channel",
        entities=[
            {
                "type": "mention",
                "text": "<at>pivot Scheduling</at>",
                "mentioned": {"id": "28:bot-test", "name": "pivot Scheduling"},
            }
        ],
        channelData={"tenant": {"id": "t"}, "team": {"id": "19:team@thread.tacv2"}},
    )
    out = await say(client, thread)
    assert texts.HELP_TITLE in card_texts(out[0])
    await say(client, message("help", conversation_id="19:chat@thread.v2", conversation_type="groupChat"))
    conversations = client.app[SERVICES].conversations
    channels = await conversations.channels()
    assert [c.conversation_id for c in channels] == ["19:general@thread.tacv2"]
    assert channels[0].team_id == "19:team@thread.tacv2"
    assert channels[0].channel_name == "General"
    assert channels[0].user_aad_object_id is None
    group = await conversations.get("19:chat@thread.v2")
    assert group is not None
    assert group.conversation_type == "groupChat"


async def test_help_lists_every_visible_command(aiohttp_client: Any, sqlite_url: str) -> None:
    client = await start(aiohttp_client, make_settings(sqlite_url))
    out = await say(client, message("  HeLp "))
    lines = card_texts(out[0])
    assert "help: Show what I can do." in lines
    assert any(line.startswith("whoami: ") for line in lines)
    assert any(line.startswith("cancel: ") for line in lines)


async def test_unknown_text_gets_help_not_an_error(aiohttp_client: Any, sqlite_url: str) -> None:
    client = await start(aiohttp_client, make_settings(sqlite_url))
    for text in ("help me please", "whoami?", "", "🙂"):
        out = await say(client, message(text))
        assert len(out) == 1
        lines = card_texts(out[0])
        assert lines[0] == texts.UNKNOWN_COMMAND
        assert texts.HELP_TITLE in lines


async def test_whoami_by_aad_object_id(aiohttp_client: Any, database_url: str) -> None:
    client = await start(aiohttp_client, make_settings(database_url))
    out = await say(client, message("whoami"))
    lines = card_texts(out[0])
    assert "Name: Ada Admin" in lines
    assert "Role: Client admin" in lines
    assert "Client: Contoso Ltd" in lines
    assert texts.WHOAMI_MATCHED_BY.format(method=texts.MATCH_METHODS["aad"]) in lines


async def test_whoami_by_email_from_the_roster(
    aiohttp_client: Any, sqlite_url: str, channel: Channel
) -> None:
    client = await start(aiohttp_client, make_settings(sqlite_url))
    out = await say(client, message("whoami", user_id="29:bo", aad=None))
    lines = card_texts(out[0])
    assert "Role: Client user" in lines
    assert texts.WHOAMI_MATCHED_BY.format(method=texts.MATCH_METHODS["email"]) in lines
    assert ("get_member", "29:bo") in channel.server.app[CALLS]


async def test_whoami_for_a_stranger(aiohttp_client: Any, sqlite_url: str) -> None:
    client = await start(aiohttp_client, make_settings(sqlite_url))
    out = await say(client, message("whoami", user_id="29:x", aad="ffffffff-0000-4000-8000-000000000000"))
    assert [r.get("text") for r in out] == [texts.WHOAMI_UNKNOWN]


# A two-step dialog plugged in the way product dialogs are.
def _two_step(services: Any) -> WaterfallDialog:
    async def ask(step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt("name", PromptOptions(prompt=MessageFactory.text("What is your name?")))

    async def finish(step: WaterfallStepContext) -> DialogTurnResult:
        await step.context.send_activity(f"Nice to meet you, {step.result}.")
        return await step.end_dialog()

    return WaterfallDialog("twostep", [ask, finish])


def _name_prompt(services: Any) -> TextPrompt:
    return TextPrompt("name")


def _commands(registry: CommandRegistry) -> None:
    @registry.command("twostep")
    async def twostep(ctx: CommandContext) -> None:
        """Start the two-step test dialog."""
        await ctx.replies.begin_dialog("twostep")

    @registry.command("explode")
    async def explode(ctx: CommandContext) -> None:
        """Fail on purpose."""
        raise RuntimeError("".join(reversed("txet-ydob-terces")))  # not greppable in this source


EXTENSIONS = BotExtensions(dialogs=(_two_step, _name_prompt), commands=(_commands,))


async def test_dialog_state_survives_a_restart(database_url: str) -> None:
    settings = make_settings(database_url)
    first = TestClient(TestServer(build_app(settings, extensions=EXTENSIONS)))
    await first.start_server()
    await first.app[SERVICES].directory.import_document(directory())
    out = await say(first, message("twostep"))
    assert [r.get("text") for r in out] == ["What is your name?"]
    await first.close()  # the process goes away mid-dialog

    second = TestClient(TestServer(build_app(settings, extensions=EXTENSIONS)))
    await second.start_server()
    try:
        out = await say(second, message("Grace"))
        assert [r.get("text") for r in out] == ["Nice to meet you, Grace."]
        out = await say(second, message("Grace"))  # dialog over: plain text gets help again
        assert card_texts(out[0])[0] == texts.UNKNOWN_COMMAND
    finally:
        await second.close()


async def test_dialog_state_is_per_user_and_cancel_works(aiohttp_client: Any, sqlite_url: str) -> None:
    client = await start(aiohttp_client, make_settings(sqlite_url), EXTENSIONS)
    group = {"conversation_id": "19:chat@thread.v2", "conversation_type": "groupChat"}
    await say(client, message("twostep", **group))
    other = await say(client, message("Bob", user_id="29:bob", aad=None, **group))
    assert card_texts(other[0])[0] == texts.NOT_LINKED  # Bob is not in Ada's dialog (and unknown)
    out = await say(client, message("cancel", **group))
    assert [r.get("text") for r in out] == [texts.CANCELLED]
    out = await say(client, message("cancel", **group))
    assert [r.get("text") for r in out] == [texts.NOTHING_TO_CANCEL]


async def test_turn_error_is_friendly_logs_no_body_and_clears_state(
    aiohttp_client: Any, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = await start(aiohttp_client, make_settings(sqlite_url), EXTENSIONS)
    await say(client, message("twostep"))
    caplog.set_level(logging.INFO)
    out = await say(client, message("cancel"))  # leave the dialog, then fail inside a command
    out = await say(client, message("twostep"))
    out = await say(client, message("explode"))  # inside the dialog this is just an answer...
    assert [r.get("text") for r in out] == ["Nice to meet you, explode."]
    state_key = "msteams/conversations/a:personal-ada/users/29:ada/"
    assert list(await client.app[SERVICES].state.read([state_key])) == [state_key]
    out = await say(client, message("explode"))
    assert [r.get("text") for r in out] == [texts.TURN_ERROR]
    assert "secret-body-text" not in caplog.text
    assert "turn failed" in caplog.text
    keys = await client.app[SERVICES].state.read(["msteams/conversations/a:personal-ada/users/29:ada"])
    assert keys == {}
