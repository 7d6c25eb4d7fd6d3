"""End to end through the Microsoft 365 Agents Playground: the admin mock user runs
`setup` (guide steps 3–7) against `app.py demo --fresh`, whose Microsoft 365 emulator
signs the service account in through its HTML form (the test follows the link with
plain HTTP); a service-provider mock user is refused with the guide's reason."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from demo.playground import INCIDENT_CHANNEL_ID, PERSONAL_CHAT_ID
from emulator.certs import client_ssl_context
from emulator.testing import sign_in_response
from services import texts
from services.m365.signin import CALLBACK_PATH
from tests.bot.setup_support import button, card_inputs, cards_in, inputs
from tests.e2e.playground import BotMessage, Playground, running_demo_with_playground

pytestmark = pytest.mark.e2e

SERVICE_ACCOUNT = "pivot@contoso.com"
SERVICE_ACCOUNT_PASSWORD = "Pivot-Demo-2026!"  # the demo tenant's (emulator/README.md)
TITLES = texts.SETUP_STEP_TITLES


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


class Turns:
    """Counts activities the bot has finished handling (the playground logs each one it
    delivered to the bot with the bot's answer), so the next click waits for the bot's
    turn, and the state it saves, to end, as a person's would."""

    def __init__(self, pg: Playground) -> None:
        self._pg = pg
        self.done = 0
        self._changed = asyncio.Event()

    async def follow(self) -> None:
        ws_url = self._pg.url.replace("http://", "ws://") + "/_ws/log/stream"
        async with self._pg.session.ws_connect(ws_url) as ws:
            async for frame in ws:
                if frame.type != aiohttp.WSMsgType.TEXT:
                    continue
                log = json.loads(frame.data).get("log", {})
                if log.get("to") == "User Application" and log.get("response"):
                    self.done += 1
                    self._changed.set()

    async def settled(self, before: int, timeout: float = 20.0) -> None:
        async with asyncio.timeout(timeout):
            while self.done <= before:
                self._changed.clear()
                await self._changed.wait()


@dataclass
class Demo:
    pg: Playground
    base: str
    ca: Path
    turns: Turns


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    """`app.py demo --fresh --with-playground`: emulator included, nothing connected yet."""
    async with running_demo_with_playground(tmp_path, fresh=True) as pg:
        assert pg.bot_url
        turns = Turns(pg)
        follower = asyncio.create_task(turns.follow())
        await asyncio.sleep(0.3)
        try:
            yield Demo(pg, pg.bot_url, tmp_path / "var" / "emulator" / "ca.pem", turns)
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower


def titled(title: str) -> Callable[[BotMessage], bool]:
    return lambda m: m.conversation_id == PERSONAL_CHAT_ID and title in m.texts()


async def press(demo: Demo, card: BotMessage, title: str, **values: Any) -> int:
    """Click an Action.Submit button as the playground's UI does; returns the message mark."""
    pg = demo.pg
    data = {**card_inputs(card.activity), **button(card.activity, title)["data"], **values}
    mark, before = len(pg.messages), demo.turns.done
    body = {
        "conversation": {"id": PERSONAL_CHAT_ID},
        "from": {"id": pg.config["currentUser"]["id"]},
        "replyToId": card.id,
        "value": data,
    }
    async with pg.session.post(f"{pg.url}/_conversation/v1/submit", json=body) as r:
        assert r.status == 200, await r.text()
    await demo.turns.settled(before)
    return mark


async def say(demo: Demo, text: str) -> int:
    mark, before = len(demo.pg.messages), demo.turns.done
    await demo.pg.say_as_current_user(PERSONAL_CHAT_ID, text)
    await demo.turns.settled(before)
    return mark


async def follow_sign_in_link(session: aiohttp.ClientSession, url: str, base: str, ca: Path) -> str:
    """What a browser does: the link, the emulator's form with the service account, the callback."""
    async with session.get(url, allow_redirects=False) as start:
        assert start.status == 302, await start.text()
        authorize = start.headers["Location"]
    fields = await sign_in_response(
        authorize,
        username=SERVICE_ACCOUNT,
        password=SERVICE_ACCOUNT_PASSWORD,
        ssl_context=client_ssl_context(ca),
    )
    async with session.post(base + CALLBACK_PATH, data=fields) as done:
        assert done.status == 200, await done.text()
        return await done.text()


async def test_admin_completes_setup_and_a_provider_is_refused(demo: Demo) -> None:
    pg, base, ca = demo.pg, demo.base, demo.ca
    await pg.install(PERSONAL_CHAT_ID)
    await pg.wait_for(lambda m: texts.WELCOME_TITLE in m.texts())

    # A service-provider mock user is refused with the guide's reason.
    chat = await pg.open_personal_chat("Sam Provider")
    mark = len(pg.messages)
    await pg.say_as("Sam Provider", chat, "setup")
    refused = await pg.wait_for(lambda m: m.conversation_id == chat, after=mark)
    assert refused.texts() == [texts.SETUP_PROVIDER_REFUSED]

    # Step 3: the sign-in link, followed with plain HTTP; the bot carries on by itself.
    mark = await say(demo, "setup")
    signin = await pg.wait_for(titled(TITLES["signin"]), after=mark)
    url = button(signin.activity, texts.SETUP_SIGNIN_BUTTON)["url"]
    assert url.startswith(f"{base}/auth/start?session=")
    mark = len(pg.messages)
    page = await follow_sign_in_link(pg.session, url, base, ca)
    assert f"Signed in as {SERVICE_ACCOUNT}" in page
    await pg.wait_for(lambda m: texts.SETUP_SIGNED_IN_AS.format(upn=SERVICE_ACCOUNT) in m.texts(), after=mark)

    # Step 4: the shared "Room Bookings" calendar and the New York site.
    step4 = await pg.wait_for(titled(TITLES["calendar"]), after=mark)
    bookings = next(
        c["value"] for c in inputs(step4.activity)["calendar"]["choices"] if "Room Bookings" in c["title"]
    )
    mark = await press(demo, step4, texts.SETUP_NEXT, calendar=bookings, location="nyc")

    # Step 5: accept the automapping.
    step5 = await pg.wait_for(titled(TITLES["mapping"]), after=mark)
    proposed = [v for k, v in card_inputs(step5.activity).items() if k.startswith("map_") and v != "none"]
    assert len(proposed) >= 6  # the directory's three mappings and automap's pairs for most of the rest
    mark = await press(demo, step5, texts.SETUP_MAP_YES)
    saved = texts.SETUP_MAP_SAVED.format(mapped=len(proposed), total=8)
    await pg.wait_for(lambda m: saved in m.texts(), after=mark)

    # Step 6: Automated Scheduling on.
    step6 = await pg.wait_for(titled(TITLES["scheduling"]), after=mark)
    mark = await press(demo, step6, texts.SETUP_SCHEDULING_YES)

    # Step 7: the service provider profile with its SLA, preselected from the directory
    # (Acme AV serves New York; a 4-hour SLA); the bot is in the team, so its channels show.
    step7 = await pg.wait_for(titled(TITLES["profile"]), after=mark)
    preset = card_inputs(step7.activity)
    assert preset["service_provider_id"] == "acme-av" and preset["sla_hours"] == 4
    assert INCIDENT_CHANNEL_ID in [c["value"] for c in inputs(step7.activity)["teams_channel"]["choices"]]
    mark = await press(demo, step7, texts.SETUP_PROFILE_SAVE, service_provider_id="acme-av", sla_hours="4")
    summary = await pg.wait_for(titled(TITLES["summary"]), after=mark)
    assert f"{texts.STATUS_SCHEDULING}: on" in summary.texts()
    mark = await press(demo, summary, texts.SETUP_FINISH)
    keys = await pg.wait_for(
        lambda m: texts.SECRETS_TITLE.format(client="Contoso Ltd") in m.texts(), after=mark
    )
    secret = [n for c in cards_in(keys.activity) for n in c["body"] if n.get("fontType") == "Monospace"]
    assert secret[0]["text"].startswith("whsec_")

    # The integration is healthy: signed in, rooms mapped, scheduling on in New York.
    mark = await say(demo, "status")
    status = await pg.wait_for(
        lambda m: texts.STATUS_TITLE.format(client="Contoso Ltd") in m.texts(), after=mark
    )
    lines = status.texts()
    assert f"{texts.STATUS_ACCOUNT}: {SERVICE_ACCOUNT}" in lines
    nyc = lines.index("Contoso New York")
    assert lines[nyc + 1] == f"{texts.STATUS_SCHEDULING}: on"
    assert lines[nyc + 2] == f"{texts.STATUS_MAPPED}: {len(proposed)} of 8"
