"""Every bot test talks through a fresh channel stub."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

import tests.bot.chat as chat
from tests.bot.channel_stub import channel_stub
from tests.bot.chat import Channel


@pytest.fixture
async def channel() -> AsyncIterator[Channel]:
    server = TestServer(
        channel_stub(
            {
                "29:bo": {
                    "id": "29:bo",
                    "name": "Bo",
                    "email": "Bo@Contoso.example",
                    "userPrincipalName": "bo@contoso.example",
                }
            }
        )
    )
    await server.start_server()
    yield Channel(server)
    await server.close()


@pytest.fixture(autouse=True)
def _use_channel(channel: Channel) -> Any:
    chat.CHANNEL = channel
    yield
    chat.CHANNEL = None
