"""Talking to the bot over real HTTP, with the channel stub as Teams' Bot Connector."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from api.keys import SERVICES
from app import build_app
from bot.wiring import BotExtensions
from services.config import Settings
from tests.bot.channel_stub import CALLS
from tests.samples import directory


async def start(
    aiohttp_client: Any, settings: Settings, extensions: BotExtensions | None = None
) -> TestClient:
    app = build_app(settings, extensions=extensions)
    client: TestClient = await aiohttp_client(app)
    await app[SERVICES].directory.import_document(directory())
    return client


class Channel:
    """The channel stub plus a cursor over what the bot sent to it."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.seen = 0

    @property
    def url(self) -> str:
        return str(self.server.make_url("/"))

    def new_messages(self) -> list[dict[str, Any]]:
        sent = [body for kind, body in self.server.app[CALLS] if kind == "send"]
        fresh, self.seen = sent[self.seen :], len(sent)
        return [a for a in fresh if a.get("type") == "message"]


CHANNEL: Channel | None = None  # set per test by the autouse fixture in conftest.py


async def say(client: TestClient, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Post an activity as Teams would and return the messages the bot sent back."""
    assert CHANNEL is not None
    body["serviceUrl"] = CHANNEL.url
    body.pop("deliveryMode", None)
    response = await client.post("/api/messages", json=body)
    assert response.status in (200, 201), await response.text()
    return CHANNEL.new_messages()
