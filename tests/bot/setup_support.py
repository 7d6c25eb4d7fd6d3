"""The setup wizard's test bench: the whole app on a real port (its PUBLIC_BASE_URL, so
sign-in links work), the Microsoft 365 emulator over HTTPS, the channel stub as Teams,
and a "browser" of plain HTTP requests that follows sign-in links."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

import tests.bot.chat as chat
from api.keys import SERVICES
from app import build_app
from bot.routes import BOT_RUNTIME
from emulator.testing import EmulatorHandle, running_emulator
from services.config import Settings
from services.container import Services
from services.m365.signin import CALLBACK_PATH
from tests.bot.activities import card_texts, message
from tests.m365 import TENANT_ID, browser_sign_in, directory_document, emulator_settings, free_port, tenant

ADA = {"user_id": "29:ada", "aad": "a0000000-0000-4000-8000-0000000000a1", "tenant": TENANT_ID}
SAM = {"user_id": "29:sam", "aad": "a0000000-0000-4000-8000-0000000000a3", "tenant": TENANT_ID}
SOL = {"user_id": "29:sol", "aad": "a0000000-0000-4000-8000-0000000000a5", "tenant": TENANT_ID}
HQ_ROOMS = {"hq-4b": "Conference Room 4B", "hq-busy": "Busy Room", "hq-5a": "Conference Room 5A"}


def setup_directory() -> dict[str, Any]:
    """The sample directory in the emulator's tenant: HQ has three rooms, none mapped yet,
    and a subcontractor user."""
    doc = directory_document()
    doc["rooms"] = [
        {"id": room_id, "name": name, "location_id": "hq"} for room_id, name in HQ_ROOMS.items()
    ] + [{"id": "ldn-thames", "name": "Thames", "location_id": "ldn"}]
    doc["users"].append(
        {
            "id": "u-sol",
            "name": "Sol Subcontractor",
            "email": "sol@sparks.example",
            "role": "subcontractor",
            "aad_object_id": SOL["aad"],
            "service_provider_id": "acme-av",
            "notify": {"email": True, "teams": False},
        }
    )
    return doc


@dataclass
class Bench:
    settings: Settings
    emu: EmulatorHandle
    client: TestClient
    http: aiohttp.ClientSession

    @property
    def services(self) -> Services:
        return self.client.app[SERVICES]

    async def restart(self) -> None:
        """A new app on the same database (the old process goes away)."""
        await self.client.close()
        self.client = TestClient(TestServer(build_app(self.settings), host="127.0.0.1"))
        await self.client.start_server()

    async def say(self, text: str, **who: Any) -> list[dict[str, Any]]:
        return await chat.say(self.client, message(text, **(who or ADA)))

    async def submit(
        self, reply: dict[str, Any], title: str, *, who: dict[str, Any] | None = None, **values: Any
    ) -> list[dict[str, Any]]:
        """Press a card's Action.Submit button: its data plus the inputs' current values."""
        data = {**card_inputs(reply), **button(reply, title)["data"], **values}
        return await chat.say(self.client, message("", value=data, **(who or ADA)))

    async def sign_in_via(self, url: str) -> str:
        """Follow a sign-in link as a browser would; the final page's text."""
        async with self.http.get(url, allow_redirects=False) as start:
            assert start.status == 302, await start.text()
            authorize = start.headers["Location"]
        fields = await browser_sign_in(self.emu, authorize)  # what the form_post page sends back
        async with self.http.post(self.settings.PUBLIC_BASE_URL + CALLBACK_PATH, data=fields) as done:
            assert done.status == 200, await done.text()
            return await done.text()

    async def admin(self, path: str, body: dict[str, Any] | None = None, method: str = "POST") -> None:
        """The emulator's admin API (unshare, revoke, rooms...)."""
        async with self.http.request(
            method, self.emu.base_url + path, json=body, ssl=self.emu.ssl_context()
        ) as response:
            assert response.status < 300, await response.text()

    def sent(self) -> list[dict[str, Any]]:
        assert chat.CHANNEL is not None
        return chat.CHANNEL.new_messages()

    async def run_sync(self) -> dict[str, str]:
        return await self.client.app[BOT_RUNTIME].admin.sync.run_once()


@contextlib.asynccontextmanager
async def bench(database_url: str, ca_dir: Path) -> AsyncIterator[Bench]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with running_emulator(tenant(base + "/auth/callback"), ca_dir=ca_dir) as emu:
        # A week-long sync slot: no background sync runs during a test.
        settings = emulator_settings(database_url, emu, base, SYNC_INTERVAL_SECONDS=7 * 86400)
        client = TestClient(TestServer(build_app(settings), host="127.0.0.1", port=port))
        await client.start_server()
        bench = Bench(settings, emu, client, aiohttp.ClientSession())
        try:
            await bench.services.directory.import_document(setup_directory())
            yield bench
        finally:
            await bench.http.close()
            await bench.client.close()


def cards_in(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["content"] for a in reply.get("attachments") or [] if isinstance(a.get("content"), dict)]


def walk(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        out.append(node)
        for value in node.values():
            out.extend(walk(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(walk(value))
    return out


def card_inputs(reply: dict[str, Any]) -> dict[str, Any]:
    """What Teams would submit for the inputs as shown (their preset values)."""
    return {
        node["id"]: node["value"]
        for node in walk(cards_in(reply))
        if str(node.get("type", "")).startswith("Input.") and "value" in node
    }


def inputs(reply: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        node["id"]: node for node in walk(cards_in(reply)) if str(node.get("type", "")).startswith("Input.")
    }


def button(reply: dict[str, Any], title: str) -> dict[str, Any]:
    for node in walk(cards_in(reply)):
        if str(node.get("type", "")).startswith("Action.") and node.get("title") == title:
            return node
    raise AssertionError(f"no button {title!r} in {card_texts(reply)}")


def find(replies: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """The reply (message or card) that shows `text` (a substring of one of its texts)."""
    for reply in replies:
        if any(text in line for line in card_texts(reply)):
            return reply
    raise AssertionError(f"{text!r} not in {[card_texts(r) for r in replies]}")


def texts_of(replies: list[dict[str, Any]]) -> list[str]:
    return [line for reply in replies for line in card_texts(reply)]
