"""Photograph what people see: the Teams cards as the Microsoft 365 Agents Playground renders
them, and the e-mails in a browser at phone and desktop width.

Run by hand only (never from `make test`): `.venv/bin/python docs/playground_screenshots.py`.
Needs node + the playground (npm ci) and a Chromium (CHROMIUM, else /usr/bin/chromium).

It starts the real demo with the playground (`app.py demo --with-playground`, a fresh --var in a
temporary directory, free ports), posts an incident with `demo.send_incident`, drives headless
Chromium over the DevTools protocol and writes PNGs into docs/screenshots/:

- card-provider.png: Sam's (provider) 1:1 card with the slot buttons;
- card-client.png: Ada's (client admin) card: status, no buttons;
- card-channel.png: the post in the team's "Incidents" channel;
- card-claimed-provider.png: the card Sam gets back after clicking a slot;
- card-claimed-client.png: Ada's card edited in place after Sam's claim;
- card-resolved.png: Ada's card after `demo.send_incident --resolve`;
- email-incident-{phone,desktop}.png: the incident e-mail Sam gets (HTML part);
- email-claimed-{phone,desktop}.png: the claim confirmation e-mail Sam gets.

The playground shows one current user's chats (Ada's). Sam's cards are what the bot really sent
to Sam's 1:1 chat (read from the playground's log stream); they are replayed unchanged into a
second playground whose current user is Sam, so the same renderer draws them under his name.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.playground import (  # noqa: E402
    INCIDENT_CHANNEL_ID,
    playground_config,
    start_playground,
    write_config,
)
from tests.e2e.playground import (  # noqa: E402
    BotMessage,
    Playground,
    free_port,
    running_demo_with_playground,
)

OUT = ROOT / "docs" / "screenshots"
TITLE = "Display offline"
SAM = "Sam Provider"
SAM_CHAT = "personal-chat-sam"


class Page:
    """One browser tab, driven over the Chrome DevTools protocol."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            data = json.loads(frame.data)
            future = self._pending.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(data)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        await self.ws.send_json({"id": ident, "method": method, "params": params})
        data = await asyncio.wait_for(future, 60)
        if "error" in data:
            raise RuntimeError(f"{method}: {data['error']}")
        return dict(data["result"])

    async def js(self, expression: str) -> Any:
        result = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return result["result"].get("value")

    async def size(self, width: int, height: int) -> None:
        await self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )

    async def goto(self, url: str, settle: float = 2.0) -> None:
        await self.call("Page.navigate", url=url)
        for _ in range(100):
            if await self.js("document.readyState") == "complete":
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(settle)

    async def wait_js(self, expression: str, seconds: float = 20.0) -> Any:
        for _ in range(int(seconds * 5)):
            value = await self.js(expression)
            if value:
                return value
            await asyncio.sleep(0.2)
        raise TimeoutError(f"never true in the page: {expression}")

    async def shoot(self, name: str, clip: dict[str, float] | None = None) -> None:
        await self.call("Page.bringToFront")  # a background tab never paints
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        data = base64.b64decode((await self.call("Page.captureScreenshot", **params))["data"])
        (OUT / name).write_bytes(_small_png(data))
        print(f"{name}: {(OUT / name).stat().st_size} bytes")


def _small_png(data: bytes) -> bytes:
    """Quantize to a 256-colour palette (the pictures are flat UI colours): a third of the size."""
    try:
        from PIL import Image
    except ImportError:
        return data
    image = Image.open(io.BytesIO(data)).convert("RGB").quantize(256, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# The JavaScript that finds the last rendered Adaptive Card whose text holds `needle`, scrolls it
# into view and answers its box (with the playground's white frame around it).
CARD_BOX = """(() => {
  const cards = [...document.querySelectorAll('.ac-adaptiveCard')]
    .filter(c => c.innerText.includes(NEEDLE) && !c.parentElement.closest('.ac-adaptiveCard'));
  const card = cards[cards.length - 1];
  if (!card) return null;
  card.scrollIntoView({block: 'center'});
  const r = card.getBoundingClientRect();
  return {x: r.x - 8 + window.scrollX, y: r.y - 8 + window.scrollY,
          width: r.width + 16, height: r.height + 16};
})()"""


async def shoot_card(page: Page, name: str, needle: str) -> None:
    await asyncio.sleep(1.0)
    try:
        box = await page.wait_js(CARD_BOX.replace("NEEDLE", json.dumps(needle)))
    except TimeoutError:
        await page.call("Page.bringToFront")
        data = await page.call("Page.captureScreenshot", format="png")
        failed = Path(tempfile.gettempdir()) / f"failed-{name}"
        failed.write_bytes(base64.b64decode(data["data"]))
        raise TimeoutError(f"no card with {needle!r} for {name}; the page is in {failed}") from None
    await asyncio.sleep(0.5)
    box = await page.js(CARD_BOX.replace("NEEDLE", json.dumps(needle)))
    await page.shoot(name, box)


CLICK_LABEL = """(() => { const el = [...document.querySelectorAll('span,div')]
     .filter(e => e.children.length === 0 && e.textContent.trim() === LABEL)[0];
   if (!el) return false; el.click(); return true; })()"""


async def open_chat(page: Page, label: str) -> None:
    """Click a chat or channel in the playground's left column by its label."""
    clicked = await page.js(CLICK_LABEL.replace("LABEL", json.dumps(label)))
    if not clicked:
        raise RuntimeError(f"no chat named {label!r} in the playground")
    await asyncio.sleep(2.0)


@contextlib.asynccontextmanager
async def chromium(session: aiohttp.ClientSession, profile: Path) -> Any:
    binary = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    port = free_port()
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, before any page
        [
            binary,
            "--headless=new",
            f"--remote-debugging-port={port}",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{port}/json/version") as r:
                    if r.status == 200:
                        break
            await asyncio.sleep(0.1)

        async def new_page(width: int = 1280, height: int = 1400) -> Page:
            async with session.put(f"http://127.0.0.1:{port}/json/new?about:blank") as r:
                target = await r.json()
            ws = await session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
            page = Page(ws)
            await page.call("Page.enable")
            await page.call("Runtime.enable")
            await page.size(width, height)
            return page

        yield new_page
    finally:
        process.terminate()
        process.wait(timeout=10)


def send_incident(bot_url: str, *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "demo.send_incident", *args, "--url", f"{bot_url}/api/incidents"],
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        check=True,
    )
    status, _, body = result.stdout.strip().partition(" ")
    if not status.startswith("2"):
        raise RuntimeError(f"send_incident {args}: {result.stdout}")
    return dict(json.loads(body)) if body.startswith("{") else {}


async def replay(pg: Playground, url: str, activity: dict[str, Any]) -> None:
    """Post a bot message, unchanged, into the Sam playground's 1:1 chat."""
    bot, sam, session = pg.config["bot"], pg.user(SAM), pg.session
    body = {
        **activity,
        "type": "message",
        "from": {"id": bot["id"], "name": bot["name"]},
        "recipient": {"id": sam["id"], "name": sam["name"]},
        "conversation": {"id": SAM_CHAT, "conversationType": "personal"},
    }
    body.pop("id", None)
    async with session.post(f"{url}/_connector/v3/conversations/{SAM_CHAT}/activities", json=body) as r:
        if r.status not in (200, 201):
            raise RuntimeError(f"replay into the Sam playground: {r.status} {await r.text()}")


def sam_config() -> dict[str, Any]:
    config = playground_config()
    people = [config["currentUser"], *config["users"]]
    sam = next(p for p in people if p["name"] == SAM)
    return {
        **config,
        "currentUser": sam,
        "users": [p for p in people if p is not sam][:5],
        "personalChat": {"id": SAM_CHAT},
    }


def mail_rows(html: str) -> list[dict[str, str]]:
    rows = []
    for row in re.findall(r"<tr><td>(.*?)</tr>", html):
        cells = re.findall(r"(?:^|<td>)(.*?)</td>", row)
        link = re.search(r'href="(/dev/mail/\d+\.eml)"', row)
        if len(cells) >= 4 and link:
            rows.append({"subject": cells[1], "to": cells[2], "event": cells[3], "href": link.group(1)})
    return rows


# The e-mail's content box: the farthest right and bottom any element reaches, plus the margin.
CONTENT_BOX = """(() => {
  const boxes = [...document.body.querySelectorAll('*')].map(e => e.getBoundingClientRect());
  return [Math.ceil(Math.max(...boxes.map(b => b.right)) + 16),
          Math.ceil(Math.max(...boxes.map(b => b.bottom)) + 16)];
})()"""


async def shoot_email(new_page: Any, url: str, stem: str) -> None:
    for suffix, width in (("phone", 390), ("desktop", 1024)):
        page = await new_page(width, 400)
        await page.goto(url, settle=1.0)
        right, bottom = await page.js(CONTENT_BOX)
        await page.size(width, bottom)
        await asyncio.sleep(0.5)
        box = {"x": 0, "y": 0, "width": min(width, right), "height": bottom}
        await page.shoot(f"{stem}-{suffix}.png", box)
        await page.call("Page.close")


async def run(tmp: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    async with running_demo_with_playground(tmp) as pg, chromium(pg.session, tmp / "chromium") as new_page:
        # Sam's playground talks to a silent stand-in bot (its UI renders only once a bot answers).
        stand_in = web.Application()
        stand_in.router.add_post("/api/messages", lambda _request: _accepted())
        runner = web.AppRunner(stand_in)
        await runner.setup()
        stand_in_port = free_port()
        await web.TCPSite(runner, "127.0.0.1", stand_in_port).start()
        sam_pg = start_playground(
            bot_endpoint=f"http://127.0.0.1:{stand_in_port}/api/messages",
            port=free_port(),
            config_path=write_config(tmp / "sam-playground.json", sam_config()),
            log_path=tmp / "sam-playground.log",
        )
        try:
            await _scenes(pg, sam_pg.url, new_page)
        finally:
            sam_pg.stop()
            await runner.cleanup()


async def _accepted() -> web.Response:
    return web.Response(status=200)


async def _scenes(pg: Playground, sam_url: str, new_page: Any) -> None:
    # Both pages listen before anything is sent: the playground's UI draws what arrives live.
    ada = await new_page()
    await ada.goto(pg.url, settle=4.0)
    sam_page = await new_page()
    await sam_page.goto(sam_url, settle=3.0)
    sam_chat = await pg.open_personal_chat(SAM)
    mark = len(pg.messages)
    incident_id = send_incident(pg.bot_url, "nyc-4b", TITLE)["id"]
    card_title = f"Incident: {TITLE}"

    def in_chat(chat: str) -> Any:
        return lambda m: m.conversation_id == chat and card_title in m.texts()

    sam_card = await pg.wait_for(in_chat(sam_chat), after=mark, timeout=40)
    await pg.wait_for(lambda m: m.conversation_id.startswith(INCIDENT_CHANNEL_ID) and card_title in m.texts())

    await replay(pg, sam_url, sam_card.activity)
    await shoot_card(sam_page, "card-provider.png", card_title)

    await shoot_card(ada, "card-client.png", card_title)
    await open_chat(ada, "Incidents")
    await shoot_card(ada, "card-channel.png", card_title)

    slot = next(a for a in _actions(sam_card) if a.get("verb") == "claim_slot")
    body = {
        "name": "adaptiveCard/action",
        "conversation": {"id": sam_chat},
        "from": {"id": pg.user(SAM)["id"]},
        "replyToId": sam_card.id,
        "value": {"action": {"type": "Action.Execute", "verb": slot["verb"], "data": slot["data"]}},
    }
    async with pg.session.post(f"{pg.url}/_conversation/v1/invoke", json=body) as r:
        reply = await r.json()
    if r.status != 200:
        raise RuntimeError(f"claim refused: {r.status} {reply}")
    claimed = {"attachments": [{"contentType": reply["type"], "content": reply["value"]}]}
    await replay(pg, sam_url, claimed)
    await shoot_card(sam_page, "card-claimed-provider.png", "")

    await open_chat(ada, "Personal Chat")
    await ada.wait_js("document.body.innerText.includes('Claimed by')")
    await shoot_card(ada, "card-claimed-client.png", card_title)

    send_incident(pg.bot_url, "--resolve", incident_id, "--note", "Display replaced, back online")
    await ada.wait_js("document.body.innerText.includes('Resolved')")
    await shoot_card(ada, "card-resolved.png", card_title)

    async with pg.session.get(f"{pg.bot_url}/dev/mail") as r:
        rows = mail_rows(await r.text())
    mine = [row for row in rows if "sam@" in row["to"] and incident_id in row["subject"]]
    print("Sam's mail:", [(row["event"], row["subject"]) for row in mine])
    incident_mail = next(row for row in mine if row["event"] == "new_incident")
    claim_mail = next(row for row in mine if row["event"] == "slot_claimed")
    await shoot_email(new_page, pg.bot_url + incident_mail["href"], "email-incident")
    await shoot_email(new_page, pg.bot_url + claim_mail["href"], "email-claimed")


def _actions(message: BotMessage) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.activity.get("attachments", []))
    return found


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="pivot-shots-") as tmp:
        asyncio.run(run(Path(tmp)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
